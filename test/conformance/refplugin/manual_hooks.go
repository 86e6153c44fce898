package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin"
)

// The hooks whose RPC glue Mattermost writes by hand (client_rpc.go): CONTRACT.md, "Manual-wire hooks".

// MessageWillBeUpdated rejects "reject-me", rewrites "rewrite-me" and passes anything else as is.
func (p *Plugin) MessageWillBeUpdated(c *plugin.Context, newPost, oldPost *model.Post) (*model.Post, string) {
	switch {
	case strings.Contains(newPost.Message, "reject-me"):
		return nil, "rejected: " + newPost.Message + " (was: " + oldPost.Message + ")"
	case strings.Contains(newPost.Message, "rewrite-me"):
		out := newPost.Clone()
		out.Message = strings.ToUpper(newPost.Message)
		out.AddProp("rewritten", true)
		return out, ""
	default:
		return newPost, ""
	}
}

// consumed returns replacements for the posts whose props ask for one.
func consumed(prefix string, posts []*model.Post) []*model.Post {
	var out []*model.Post
	for _, post := range posts {
		if ask, _ := post.GetProp("conformance_consume").(bool); ask {
			r := post.Clone()
			r.Message = prefix + post.Message
			out = append(out, r)
		}
	}
	return out
}

// MessagesWillBeConsumed replaces the posts marked conformance_consume.
func (p *Plugin) MessagesWillBeConsumed(posts []*model.Post) []*model.Post {
	return consumed("consumed: ", posts)
}

// MessagesWillBeConsumedWithContext replaces the posts marked conformance_consume, naming the request.
func (p *Plugin) MessagesWillBeConsumedWithContext(c *plugin.Context, posts []*model.Post) []*model.Post {
	return consumed("consumed for "+c.RequestId+": ", posts)
}

// memberVerdict is the rule both member hooks apply to the member's roles.
func memberVerdict(roles, userID string) (promote bool, reason string) {
	switch {
	case strings.Contains(roles, "reject-me"):
		return false, "rejected: " + userID
	case strings.Contains(roles, "promote-me"):
		return true, ""
	default:
		return false, ""
	}
}

// ChannelMemberWillBeAdded rejects, promotes (roles + " channel_admin") or passes the member.
func (p *Plugin) ChannelMemberWillBeAdded(c *plugin.Context, member *model.ChannelMember) (*model.ChannelMember, string) {
	promote, reason := memberVerdict(member.Roles, member.UserId)
	if !promote {
		return nil, reason
	}
	out := *member
	out.Roles = member.Roles + " channel_admin"
	out.SchemeAdmin = true
	return &out, ""
}

// TeamMemberWillBeAdded rejects, promotes (roles + " team_admin") or passes the member.
func (p *Plugin) TeamMemberWillBeAdded(c *plugin.Context, member *model.TeamMember) (*model.TeamMember, string) {
	promote, reason := memberVerdict(member.Roles, member.UserId)
	if !promote {
		return nil, reason
	}
	out := *member
	out.Roles = member.Roles + " team_admin"
	out.SchemeAdmin = true
	return &out, ""
}

// asciiUpper upper-cases a-z byte by byte (the same bytes in every language).
func asciiUpper(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		out[i] = c
	}
	return out
}

// FileWillBeUploaded echoes what it received under "upload:<id>", then rejects ".reject" files,
// replaces ".upper" files with their ASCII upper-case and passes any other.
func (p *Plugin) FileWillBeUploaded(c *plugin.Context, info *model.FileInfo, file io.Reader, output io.Writer) (*model.FileInfo, string) {
	data, err := io.ReadAll(file)
	if err != nil {
		return nil, "reading the file: " + err.Error()
	}
	sum := sha256.Sum256(data)
	p.kvSetJSON("upload:"+info.Id, map[string]any{"context": c, "info": info, "length": len(data), "sha256": hex.EncodeToString(sum[:])})
	switch {
	case strings.HasSuffix(info.Name, ".reject"):
		return nil, "rejected: " + info.Name
	case strings.HasSuffix(info.Name, ".upper"):
		upper := asciiUpper(data)
		if _, err := output.Write(upper); err != nil {
			return nil, "writing the replacement: " + err.Error()
		}
		out := *info
		out.Name = "upper-" + info.Name
		out.Size = int64(len(upper))
		return &out, ""
	default:
		return nil, ""
	}
}

// ServeMetrics answers one Prometheus-style line naming the path.
func (p *Plugin) ServeMetrics(c *plugin.Context, w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	w.Header().Set("X-Conformance-Session", c.SessionId)
	w.WriteHeader(http.StatusOK)
	_, _ = fmt.Fprintf(w, "conformance_metric{path=%q} 1\n", r.URL.Path)
}
