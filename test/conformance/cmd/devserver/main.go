// Command devserver runs the real plugin bundle under Mattermost's own plugin host code, with an
// in-memory fake of the server's API, and serves its HTTP routes the way the server does. It is what
// the browser tests talk to, and a way to try the plugin locally without a Mattermost server.
//
//	go run ./cmd/devserver -bundle ../..            # plugin.json, server/dist, assets, webapp/dist
//
// It prints one JSON line with its URL and the seeded ids, then serves until killed:
//
//	/plugins/<id>/...  the plugin's ServeHTTP, as user X-Dev-User (default: alice)
//	POST /dev/posts    {"channel_id", "user_id", "message", "root_id"?}: a post, delivered to MessageHasBeenPosted
//	GET  /dev/dms?user_id=...   the bot's direct messages to that user
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin"
	"github.com/mattermost/mattermost/server/public/shared/mlog"

	"triggeralerts/conformance/fakeapi"
	"triggeralerts/conformance/harness"
)

// copyBundle lays the plugin out the way an installed bundle is: plugin.json and the folders it uses.
func copyBundle(src, dst string) error {
	for _, part := range []string{"plugin.json", "server/dist", "assets", "webapp/dist"} {
		from := filepath.Join(src, part)
		if _, err := os.Stat(from); err != nil {
			if part == "webapp/dist" {
				continue
			}
			return err
		}
		err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(src, p)
			target := filepath.Join(dst, rel)
			if d.IsDir() {
				return os.MkdirAll(target, 0o755)
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			in, err := os.Open(p)
			if err != nil {
				return err
			}
			defer in.Close()
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return err
			}
			out, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, info.Mode().Perm())
			if err != nil {
				return err
			}
			defer out.Close()
			_, err = io.Copy(out, in)
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

type seeded struct {
	URL       string            `json:"url"`
	PluginID  string            `json:"plugin_id"`
	TeamID    string            `json:"team_id"`
	Channels  map[string]string `json:"channels"`
	Users     map[string]string `json:"users"`
	BotUserID string            `json:"bot_user_id"`
}

func main() {
	bundle := flag.String("bundle", ".", "directory holding plugin.json, server/dist, assets and webapp/dist")
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	flag.Parse()

	raw, err := os.ReadFile(filepath.Join(*bundle, "plugin.json"))
	if err != nil {
		log.Fatal(err)
	}
	var manifest model.Manifest
	if err := json.Unmarshal(raw, &manifest); err != nil {
		log.Fatal(err)
	}
	root, err := os.MkdirTemp("", "devserver-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(root)
	pluginDir := filepath.Join(root, "plugins")
	if err := copyBundle(*bundle, filepath.Join(pluginDir, manifest.Id)); err != nil {
		log.Fatalf("installing the bundle: %v", err)
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	url := "http://" + ln.Addr().String()

	api := fakeapi.New()
	cfg := api.Config()
	cfg.ServiceSettings.SiteURL = model.NewPointer(url)
	api.SetConfig(cfg)
	team := &model.Team{Id: model.NewId(), Name: "acme", DisplayName: "Acme"}
	api.SeedTeam(team)
	s := seeded{URL: url, PluginID: manifest.Id, TeamID: team.Id, Channels: map[string]string{}, Users: map[string]string{}}
	for _, name := range []string{"alice", "bob", "carol"} {
		u := &model.User{Id: model.NewId(), Username: name, Email: name + "@example.com", Roles: model.SystemUserRoleId}
		api.SeedUser(u)
		s.Users[name] = u.Id
	}
	for _, ch := range []struct {
		name, display string
		typ           model.ChannelType
	}{{"town-square", "Town Square", model.ChannelTypeOpen}, {"private-ops", "Private Ops", model.ChannelTypePrivate}} {
		c := &model.Channel{Id: model.NewId(), TeamId: team.Id, Name: ch.name, DisplayName: ch.display, Type: ch.typ}
		api.SeedChannel(c)
		s.Channels[ch.name] = c.Id
		for name, uid := range s.Users {
			if ch.name == "private-ops" && name == "carol" {
				continue // carol cannot read the private channel
			}
			api.SeedChannelMember(&model.ChannelMember{ChannelId: c.Id, UserId: uid})
		}
	}

	logger, err := mlog.NewLogger()
	if err != nil {
		log.Fatal(err)
	}
	if err := mlog.AddWriterTarget(logger, os.Stderr, false, mlog.StdAll...); err != nil {
		log.Fatal(err)
	}
	env, err := plugin.NewEnvironment(func(*model.Manifest) plugin.API { return api }, nil, pluginDir, filepath.Join(root, "client"), logger, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer env.Shutdown()
	if _, _, err := env.Activate(manifest.Id); err != nil {
		log.Fatalf("activating %s: %v", manifest.Id, err)
	}
	hooks, err := env.HooksForPlugin(manifest.Id)
	if err != nil {
		log.Fatal(err)
	}
	if bot := api.Bot("trigger-alerts"); bot != nil {
		s.BotUserID = bot.UserId
	}

	mux := http.NewServeMux()
	mux.HandleFunc("/plugins/"+manifest.Id+"/", func(w http.ResponseWriter, r *http.Request) {
		// The user is who the proxy in front says (a seeded name in X-Dev-User, or a seeded id in
		// Mattermost-User-Id, as a browser test's proxy sends it); alice otherwise.
		userID := s.Users["alice"]
		if name := r.Header.Get("X-Dev-User"); name != "" {
			userID = s.Users[name]
		} else if id := r.Header.Get("Mattermost-User-Id"); id != "" {
			for _, known := range s.Users {
				if known == id {
					userID = id
				}
			}
		}
		harness.ServePluginRequestFor(hooks, manifest.Id, w, r, userID)
	})
	mux.HandleFunc("POST /dev/posts", func(w http.ResponseWriter, r *http.Request) {
		var p model.Post
		if err := json.NewDecoder(r.Body).Decode(&p); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		p.Id = model.NewId()
		p.CreateAt = model.GetMillis()
		p.UpdateAt = p.CreateAt
		api.SeedPost(&p)
		hooks.MessageHasBeenPosted(&plugin.Context{RequestId: model.NewId()}, &p)
		_ = json.NewEncoder(w).Encode(&p)
	})
	mux.HandleFunc("GET /dev/dms", func(w http.ResponseWriter, r *http.Request) {
		dm := api.DirectChannel(s.BotUserID, r.URL.Query().Get("user_id"))
		posts := []*model.Post{}
		if dm != nil {
			posts = api.Posts(dm.Id)
		}
		_ = json.NewEncoder(w).Encode(posts)
	})

	line, _ := json.Marshal(s)
	fmt.Println(string(line))
	srv := &http.Server{Handler: mux}
	if err := srv.Serve(ln); err != nil && !strings.Contains(err.Error(), "closed") {
		log.Fatal(err)
	}
}
