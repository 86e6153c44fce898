package conformance

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin"

	"triggeralerts/conformance/harness"
)

// The hooks whose RPC glue Mattermost writes by hand (client_rpc.go), through the plain hooks the
// server calls: each has its own defaults (the value passed in, or nil) and, for some, streams.
// A transport failure, which those hooks log and hide, fails the test (Host.CheckRPC).

// manualContractHookIDs are the hooks CONTRACT.md adds under "Manual-wire hooks", by name, with their
// host ids; files for the lines that have more hooks add theirs in init.
var manualContractHookIDs = map[string]int{
	"MessageWillBeUpdated":   plugin.MessageWillBeUpdatedID,
	"MessagesWillBeConsumed": plugin.MessagesWillBeConsumedID,
	"FileWillBeUploaded":     plugin.FileWillBeUploadedID,
	"ServeMetrics":           plugin.ServeMetricsID,
}

func init() {
	addContractHooks(manualContractHookIDs)
}

// addContractHooks extends the Implemented list of CONTRACT.md with hooks of this line.
func addContractHooks(ids map[string]int) {
	for name, id := range ids {
		manualContractHookIDs[name] = id
		if !contains(contractHooks, name) {
			contractHooks = append(contractHooks, name)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// knownToHost keeps the hook names this line's plugin.Hooks has: a plugin built against a newer
// server/public (the TypeScript one) also lists hooks an older host does not know, which that host
// ignores.
func knownToHost(names []string) []string {
	hooks := reflect.TypeOf((*plugin.Hooks)(nil)).Elem()
	var out []string
	for _, n := range names {
		if _, ok := hooks.MethodByName(n); ok {
			out = append(out, n)
		}
	}
	return out
}

func requireRPC(t *testing.T, h *harness.Host, hook string, call func()) {
	t.Helper()
	require.NoError(t, h.CheckRPC(hook, call))
}

// TestMessageWillBeUpdated: the server's view of a rejection, a rewrite and a pass-through (which
// must give back the new post with every field: this host starts from a nil post, not the one it sent).
func TestMessageWillBeUpdated(t *testing.T) {
	h := start(t)
	edit := func(message string) (newPost, oldPost *model.Post) {
		oldPost = richPost()
		newPost = oldPost.Clone()
		newPost.Message = message
		newPost.EditAt = oldPost.EditAt + 1000
		return newPost, oldPost
	}
	call := func(newPost, oldPost *model.Post) (got *model.Post, reason string) {
		requireRPC(t, h, "MessageWillBeUpdated", func() {
			got, reason = h.Hooks().MessageWillBeUpdated(testContext(), newPost.Clone(), oldPost.Clone())
		})
		return got, reason
	}

	t.Run("reject", func(t *testing.T) {
		newPost, oldPost := edit("please reject-me ✓ " + unicodeSample)
		got, reason := call(newPost, oldPost)
		assert.Nil(t, got)
		assert.Equal(t, "rejected: "+newPost.Message+" (was: "+oldPost.Message+")", reason)
	})

	t.Run("rewrite", func(t *testing.T) {
		newPost, oldPost := edit("please rewrite-me: straße é " + unicodeSample)
		want := newPost.Clone()
		want.Message = strings.ToUpper(newPost.Message)
		want.AddProp("rewritten", true)
		got, reason := call(newPost, oldPost)
		assert.Equal(t, "", reason)
		require.NotNil(t, got)
		requireNoDiff(t, "rewritten post", gobRT(t, want), got)
	})

	t.Run("pass-through", func(t *testing.T) {
		newPost, oldPost := edit("an ordinary edit " + unicodeSample)
		got, reason := call(newPost, oldPost)
		assert.Equal(t, "", reason)
		require.NotNil(t, got, "a pass-through gives the new post back")
		requireNoDiff(t, "unchanged new post", gobRT(t, newPost), got)
	})
}

// TestMessagesWillBeConsumed: the posts arrive intact, replacements come back for exactly the
// marked ones, and none at all when none is marked.
func TestMessagesWillBeConsumed(t *testing.T) {
	h := start(t)
	marked := richPost()
	marked.AddProp("conformance_consume", true)
	plain := richPost()
	plain.Id = model.NewId()

	var got []*model.Post
	requireRPC(t, h, "MessagesWillBeConsumed", func() {
		got = h.Hooks().MessagesWillBeConsumed([]*model.Post{plain.Clone(), marked.Clone()})
	})
	require.Len(t, got, 1)
	want := marked.Clone()
	want.Message = "consumed: " + marked.Message
	requireNoDiff(t, "replacement", gobRT(t, want), got[0])

	requireRPC(t, h, "MessagesWillBeConsumed", func() {
		got = h.Hooks().MessagesWillBeConsumed([]*model.Post{plain.Clone()})
	})
	assert.Empty(t, got, "no replacements")
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func uploadInfo(name string, size int) *model.FileInfo {
	return &model.FileInfo{
		Id: model.NewId(), CreatorId: aliceID, PostId: postID, ChannelId: channelID, CreateAt: 1700000000000,
		UpdateAt: 1700000000001, Path: "data/" + name, Name: name, Extension: "bin", Size: int64(size),
		MimeType: "application/octet-stream", Width: 640, Height: 480, HasPreviewImage: true, MiniPreview: &[]byte{1, 2, 0, 255},
	}
}

// TestFileWillBeUploaded: the file streams to the plugin intact (its echo has length and hash), the
// info arrives intact, and the plugin can replace the content and the info, reject the upload, or let
// it pass (the server then keeps its info and content).
func TestFileWillBeUploaded(t *testing.T) {
	h := start(t)
	random := make([]byte, 3<<20)
	_, _ = rand.Read(random)
	text := []byte("Hello wörld ✓ " + unicodeSample)

	upload := func(info *model.FileInfo, data []byte) (got *model.FileInfo, reason string, output []byte) {
		var out bytes.Buffer
		c := testContext()
		sent := gobRT(t, info) // the host decodes the plugin's answer into the info it passed in
		requireRPC(t, h, "FileWillBeUploaded", func() {
			got, reason = h.Hooks().FileWillBeUploaded(c, info, bytes.NewReader(data), &out)
		})
		echo := decodeEcho(t, h.KV("upload:"+info.Id))
		var length int
		var hash string
		require.NoError(t, json.Unmarshal(echo["length"], &length))
		require.NoError(t, json.Unmarshal(echo["sha256"], &hash))
		assert.Equal(t, len(data), length, "length the plugin read")
		assert.Equal(t, sha256Hex(data), hash, "content the plugin read")
		requireNoDiff(t, "context", c, echo["context"], harness.ContextDiffOptions...)
		requireNoDiff(t, "file info", sent, echo["info"])
		return got, reason, out.Bytes()
	}

	t.Run("replace", func(t *testing.T) {
		info := uploadInfo("notes.upper", len(text))
		got, reason, output := upload(info, text)
		assert.Equal(t, "", reason)
		require.NotNil(t, got)
		want := *info
		want.Name = "upper-notes.upper"
		want.Size = int64(len(text))
		requireNoDiff(t, "replacement info", gobRT(t, &want), got)
		upper := bytes.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' {
				return r - ('a' - 'A')
			}
			return r
		}, text)
		assert.True(t, bytes.Equal(upper, output), "replacement content: %q", output)
	})

	t.Run("reject", func(t *testing.T) {
		info := uploadInfo("virus.reject", len(random))
		got, reason, output := upload(info, random)
		assert.Equal(t, "rejected: virus.reject", reason)
		assert.Same(t, info, got, "the server keeps its info")
		assert.Empty(t, output)
	})

	t.Run("pass-through, 3 MiB", func(t *testing.T) {
		info := uploadInfo("photo.bin", len(random))
		got, reason, output := upload(info, random)
		assert.Equal(t, "", reason)
		assert.Same(t, info, got, "the server keeps its info")
		assert.Empty(t, output, "no replacement content")
	})
}

// TestServeMetrics: the metrics handler gets the request and its response reaches the server's writer.
func TestServeMetrics(t *testing.T) {
	h := start(t)
	assert.True(t, h.HasPluginImplementing(plugin.ServeMetricsID))
	c := testContext()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/metrics/conformance?x=1", nil)
	requireRPC(t, h, "ServeMetrics", func() { h.Hooks().ServeMetrics(c, rec, req) })
	assert.Equal(t, 200, rec.Code)
	assert.Equal(t, "text/plain; version=0.0.4", rec.Header().Get("Content-Type"))
	assert.Equal(t, c.SessionId, rec.Header().Get("X-Conformance-Session"))
	assert.Equal(t, "conformance_metric{path=\"/metrics/conformance\"} 1\n", rec.Body.String())
}
