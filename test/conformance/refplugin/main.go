// Command refplugin is the Go reference implementation of the conformance test plugin
// described in ../CONTRACT.md. The conformance tests must pass against it before they are
// trusted against the TypeScript implementation.
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin"
)

// Plugin implements the hooks listed in CONTRACT.md, and no others.
type Plugin struct {
	plugin.MattermostPlugin
}

func main() {
	plugin.ClientMain(&Plugin{})
}

func (p *Plugin) kvSetJSON(key string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		p.API.LogError("conformance: marshal failed", "key", key, "error", err.Error())
		return
	}
	if appErr := p.API.KVSet(key, b); appErr != nil {
		p.API.LogError("conformance: KVSet failed", "key", key, "error", appErr.Error())
	}
}

// OnActivate stores the server version under "activated", unless the configuration says
// FailActivate.
func (p *Plugin) OnActivate() error {
	var cfg map[string]any
	if err := p.API.LoadPluginConfiguration(&cfg); err != nil {
		return fmt.Errorf("loading configuration: %w", err)
	}
	if fail, _ := cfg["FailActivate"].(bool); fail {
		return errors.New("activation refused by configuration")
	}
	v := p.API.GetServerVersion()
	if appErr := p.API.KVSet("activated", []byte(v)); appErr != nil {
		p.API.LogError("conformance: KVSet failed", "key", "activated", "error", appErr.Error())
	}
	return nil
}

// OnDeactivate stores "yes" under "deactivated".
func (p *Plugin) OnDeactivate() error {
	if appErr := p.API.KVSet("deactivated", []byte("yes")); appErr != nil {
		p.API.LogError("conformance: KVSet failed", "key", "deactivated", "error", appErr.Error())
	}
	return nil
}

// OnConfigurationChange stores the JSON of the plugin configuration under "config".
func (p *Plugin) OnConfigurationChange() error {
	var cfg map[string]any
	if err := p.API.LoadPluginConfiguration(&cfg); err != nil {
		return err
	}
	p.kvSetJSON("config", cfg)
	return nil
}

// pluginID is the id the conformance plugin is installed under (its settings' key in the config).
const pluginID = "com.example.conformance"

// ConfigurationWillBeSaved refuses, rewrites or echoes the configuration, by the plugin setting
// "willbesaved" of the configuration about to be saved.
func (p *Plugin) ConfigurationWillBeSaved(newCfg *model.Config) (*model.Config, error) {
	settings := newCfg.PluginSettings.Plugins[pluginID]
	siteURL := ""
	if newCfg.ServiceSettings.SiteURL != nil {
		siteURL = *newCfg.ServiceSettings.SiteURL
	}
	switch settings["willbesaved"] {
	case "reject-app":
		return nil, &model.AppError{
			Id:              "conformance.config_rejected",
			Message:         "rejected: " + siteURL,
			DetailedError:   "detail",
			StatusCode:      422,
			Where:           "ConfigurationWillBeSaved",
			SkipTranslation: true,
		}
	case "reject-plain":
		return nil, errors.New("rejected plainly: " + siteURL)
	case "rewrite":
		out := newCfg.Clone()
		out.ServiceSettings.SiteURL = model.NewPointer(siteURL + "/rewritten")
		out.PluginSettings.Plugins[pluginID]["rewritten"] = true
		return out, nil
	default:
		p.kvSetJSON("willbesaved", newCfg)
		return nil, nil
	}
}

// MessageHasBeenPosted echoes the context and the post under "posted:<id>".
func (p *Plugin) MessageHasBeenPosted(c *plugin.Context, post *model.Post) {
	if noop, _ := post.GetProp("conformance_noop").(bool); noop {
		return // the benchmark's pure hook round trip
	}
	echo := post
	if corrupt, _ := post.GetProp("conformance_corrupt").(bool); corrupt {
		echo = post.Clone()
		echo.Message += "!"
	}
	p.kvSetJSON("posted:"+post.Id, map[string]any{"context": c, "post": echo})
}

// MessageHasBeenUpdated echoes the context and both posts under "updated:<new id>".
func (p *Plugin) MessageHasBeenUpdated(c *plugin.Context, newPost, oldPost *model.Post) {
	p.kvSetJSON("updated:"+newPost.Id, map[string]any{"context": c, "new": newPost, "old": oldPost})
}

// MessageWillBePosted rejects "reject-me", rewrites "rewrite-me" and passes anything else.
func (p *Plugin) MessageWillBePosted(c *plugin.Context, post *model.Post) (*model.Post, string) {
	switch {
	case strings.Contains(post.Message, "reject-me"):
		return nil, "rejected: " + post.Message
	case strings.Contains(post.Message, "rewrite-me"):
		out := post.Clone()
		out.Message = strings.ToUpper(post.Message)
		out.AddProp("rewritten", true)
		return out, ""
	default:
		return nil, ""
	}
}

// ExecuteCommand fails on "/conformance fail" and otherwise echoes the arguments.
func (p *Plugin) ExecuteCommand(c *plugin.Context, args *model.CommandArgs) (*model.CommandResponse, *model.AppError) {
	if args.Command == "/conformance fail" {
		return nil, &model.AppError{
			Id:            "conformance.fail",
			Message:       "failed on purpose",
			DetailedError: "detail",
			StatusCode:    418,
			Where:         "ExecuteCommand",
		}
	}
	var key string
	var n int
	if _, err := fmt.Sscanf(args.Command, "/conformance kvget %s %d", &key, &n); err == nil {
		// the benchmark's API round trip from inside a hook
		last := 0
		for range n {
			v, _ := p.API.KVGet(key)
			last = len(v)
		}
		return &model.CommandResponse{ResponseType: model.CommandResponseTypeEphemeral, Text: strconv.Itoa(last)}, nil
	}
	text, err := json.Marshal(args)
	if err != nil {
		return nil, &model.AppError{Id: "conformance.marshal", Message: err.Error(), StatusCode: 500, Where: "ExecuteCommand"}
	}
	return &model.CommandResponse{
		ResponseType: "ephemeral",
		Text:         string(text),
		Props:        model.StringInterface{"echo": args.Command},
	}, nil
}

// OnPluginClusterEvent stores the event data under "cluster:<id>".
func (p *Plugin) OnPluginClusterEvent(c *plugin.Context, ev model.PluginClusterEvent) {
	if appErr := p.API.KVSet("cluster:"+ev.Id, ev.Data); appErr != nil {
		p.API.LogError("conformance: KVSet failed", "error", appErr.Error())
	}
}

// ServeHTTP implements the routes of CONTRACT.md.
func (p *Plugin) ServeHTTP(c *plugin.Context, w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	switch {
	case path == "/echo" && (r.Method == http.MethodGet || r.Method == http.MethodPost):
		serveEcho(w, r)
	case path == "/bytes" && r.Method == http.MethodGet:
		serveBytes(w, r)
	case strings.HasPrefix(path, "/status/") && r.Method == http.MethodGet:
		serveStatus(w, strings.TrimPrefix(path, "/status/"))
	case path == "/throw" && r.Method == http.MethodGet:
		http.Error(w, "internal error", http.StatusInternalServerError)
	case path == "/pid" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, map[string]int{"pid": os.Getpid()})
	case strings.HasPrefix(path, "/api/") && r.Method == http.MethodPost:
		p.serveAPI(w, r, strings.TrimPrefix(path, "/api/"))
	default:
		http.NotFound(w, r)
	}
}

var echoSkippedHeaders = map[string]bool{
	"content-length":    true,
	"accept-encoding":   true,
	"connection":        true,
	"transfer-encoding": true,
}

func serveEcho(w http.ResponseWriter, r *http.Request) {
	h := sha256.New()
	n, err := io.Copy(h, r.Body)
	if err != nil {
		http.Error(w, "reading body: "+err.Error(), http.StatusBadRequest)
		return
	}
	headers := map[string][]string{}
	for k, vs := range r.Header {
		lk := strings.ToLower(k)
		if echoSkippedHeaders[lk] {
			continue
		}
		headers[lk] = append(headers[lk], vs...)
	}
	query := map[string][]string(r.URL.Query())
	w.Header().Add("X-Conformance", "a")
	w.Header().Add("X-Conformance", "b")
	writeJSON(w, http.StatusOK, map[string]any{
		"method":     r.Method,
		"path":       r.URL.Path,
		"rawQuery":   r.URL.RawQuery,
		"query":      query,
		"headers":    headers,
		"userId":     r.Header.Get("Mattermost-User-Id"),
		"bodyLength": n,
		"bodySha256": hex.EncodeToString(h.Sum(nil)),
	})
}

func serveBytes(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(r.URL.Query().Get("n"))
	if err != nil || n < 0 {
		http.Error(w, "bad n", http.StatusBadRequest)
		return
	}
	buf := make([]byte, n)
	for i := range buf {
		buf[i] = byte(i % 251)
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf)
}

func serveStatus(w http.ResponseWriter, codeText string) {
	code, err := strconv.Atoi(codeText)
	if err != nil || code < 100 || code > 999 {
		http.Error(w, "bad status code", http.StatusBadRequest)
		return
	}
	if code == http.StatusNoContent {
		w.WriteHeader(code)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(code)
	_, _ = io.WriteString(w, "status "+codeText)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "marshal: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
