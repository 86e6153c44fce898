// Command wirepeer is the Go side of the plugin API binding's unit tests: it decodes the args structs the
// TypeScript client encodes into Mattermost's own plugin.Z_<Method>Args types, and encodes
// plugin.Z_<Method>Returns values for the client to decode, all with the real encoding/gob.
//
//	wirepeer < {"decode": [{"method": "KVGet", "data": "<base64 gob>"}], "encode": ["KVGet.value"]}
//	→ {"decoded": [<the Go args struct as JSON> | {"error": "..."}], "encoded": {"KVGet.value": "<base64 gob>"}}
package main

import (
	"bytes"
	"encoding/base64"
	"encoding/gob"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin"
)

// args: a fresh Go args struct per method the tests send.
var args = map[string]func() any{
	"KVGet":                     func() any { return &plugin.Z_KVGetArgs{} },
	"KVSetWithOptions":          func() any { return &plugin.Z_KVSetWithOptionsArgs{} },
	"KVList":                    func() any { return &plugin.Z_KVListArgs{} },
	"CreatePost":                func() any { return &plugin.Z_CreatePostArgs{} },
	"GetUsersByIds":             func() any { return &plugin.Z_GetUsersByIdsArgs{} },
	"PublishWebSocketEvent":     func() any { return &plugin.Z_PublishWebSocketEventArgs{} },
	"HasPermissionToChannel":    func() any { return &plugin.Z_HasPermissionToChannelArgs{} },
	"SavePluginConfig":          func() any { return &plugin.Z_SavePluginConfigArgs{} },
	"PublishPluginClusterEvent": func() any { return &plugin.Z_PublishPluginClusterEventArgs{} },
	"UpdateChannelMemberRoles":  func() any { return &plugin.Z_UpdateChannelMemberRolesArgs{} },
	"GetPostsSince":             func() any { return &plugin.Z_GetPostsSinceArgs{} },
	"PluginHTTP":                func() any { return &plugin.Z_PluginHTTPArgs{} },
	"LogAuditRecWithLevel":      func() any { return &plugin.Z_LogAuditRecWithLevelArgs{} },
	"InstallPlugin":             func() any { return &plugin.Z_InstallPluginArgs{} },
	"UpdateUserCustomStatus":    func() any { return &plugin.Z_UpdateUserCustomStatusArgs{} },
	"SearchPostsInTeamForUser":  func() any { return &plugin.Z_SearchPostsInTeamForUserArgs{} },
	"LoadPluginConfiguration":   func() any { return &plugin.Z_LoadPluginConfigurationArgsArgs{} },
	"LogInfo":                   func() any { return &plugin.Z_LogInfoArgs{} },
}

func ptr[T any](v T) *T { return &v }

// returns: Go reply values by case name.
var returns = map[string]func() any{
	"KVGet.value": func() any { return &plugin.Z_KVGetReturns{A: []byte("hello")} },
	"KVGet.appError": func() any {
		return &plugin.Z_KVGetReturns{B: model.NewAppError("KVGet", "app.kv.get", nil, "gone", 404)}
	},
	"KVGet.nil": func() any { return &plugin.Z_KVGetReturns{} },
	"GetUsersByIds.users": func() any {
		return &plugin.Z_GetUsersByIdsReturns{A: []*model.User{
			{Id: "u1", Username: "alice", Locale: "de", Props: model.StringMap{"k": "v"}, Timezone: model.StringMap{"manualTimezone": "Europe/Berlin"}},
			{Id: "u2", Username: "bob", IsBot: true},
		}}
	},
	"EnsureBotUser.error": func() any {
		return &plugin.Z_EnsureBotUserReturns{B: &plugin.ErrorString{Err: "bot creation failed", Code: 3}}
	},
	"EnsureBotUser.appErrorAsError": func() any {
		return &plugin.Z_EnsureBotUserReturns{B: model.NewAppError("EnsureBotUser", "app.bot.exists", nil, "", 409)}
	},
	"GetPost.nil": func() any { return &plugin.Z_GetPostReturns{} },
	"GetPost.post": func() any {
		return &plugin.Z_GetPostReturns{A: &model.Post{Id: "p1", Message: "hi", FileIds: []string{"f1"}, IsFollowing: ptr(true),
			Props: model.StringInterface{"n": 1.5, "nested": map[string]any{"x": "y"}, "list": []any{"a", int64(2)}}}}
	},
	"GetPluginConfig.map": func() any {
		return &plugin.Z_GetPluginConfigReturns{A: map[string]any{"word": "x", "max": float64(25), "on": true}}
	},
	"GetEmojiImage.tuple":          func() any { return &plugin.Z_GetEmojiImageReturns{A: []byte{0x89, 'P', 'N', 'G'}, B: "png"} },
	"HasPermissionToChannel.true":  func() any { return &plugin.Z_HasPermissionToChannelReturns{A: true} },
	"HasPermissionToChannel.false": func() any { return &plugin.Z_HasPermissionToChannelReturns{} },
	"KVList.empty":                 func() any { return &plugin.Z_KVListReturns{} },
	"GetServerVersion.version":     func() any { return &plugin.Z_GetServerVersionReturns{A: "9.10.0"} },
	"GetConfig.config": func() any {
		c := &model.Config{}
		c.ServiceSettings.SiteURL = ptr("http://127.0.0.1:8065")
		return &plugin.Z_GetConfigReturns{A: c}
	},
	"PluginHTTP.response": func() any {
		return &plugin.Z_PluginHTTPReturns{
			Response:     &http.Response{StatusCode: 201, Status: "201 Created", Header: http.Header{"Content-Type": {"application/json"}, "X-Two": {"a", "b"}}},
			ResponseBody: []byte(`{"ok":true}`),
		}
	},
	"LoadPluginConfiguration.json": func() any {
		return &plugin.Z_LoadPluginConfigurationArgsReturns{A: []byte(`{"BotName":"Trigger","MaxWords":25}`)}
	},
	"InstallPlugin.manifest": func() any {
		return &plugin.Z_InstallPluginReturns{A: &model.Manifest{Id: "com.example.x", Version: "1.2.3"}}
	},
	// time.Time in three zones, with and without nanoseconds, and the zero time
	"UpdateUserCustomStatus.args": func() any {
		return &plugin.Z_UpdateUserCustomStatusArgs{A: "u1", B: &model.CustomStatus{
			Emoji: "calendar", Text: "away", Duration: "date_and_time",
			ExpiresAt: time.Date(2026, 2, 8, 9, 12, 7, 224000, time.UTC),
		}}
	},
	"UpdateUserCustomStatus.argsOffset": func() any {
		return &plugin.Z_UpdateUserCustomStatusArgs{A: "u1", B: &model.CustomStatus{
			ExpiresAt: time.Date(1999, 12, 31, 23, 59, 59, 0, time.FixedZone("", -(5*3600+30*60))),
		}}
	},
	"UpdateUserCustomStatus.argsZero": func() any {
		return &plugin.Z_UpdateUserCustomStatusArgs{A: "u1", B: &model.CustomStatus{Emoji: "x"}}
	},
	"SearchPostsInTeamForUser.results": func() any {
		return &plugin.Z_SearchPostsInTeamForUserReturns{A: &model.PostSearchResults{
			PostList: &model.PostList{Order: []string{"p1"}, Posts: map[string]*model.Post{"p1": {Id: "p1", Message: "found"}}, HasNext: ptr(true)},
			Matches:  model.PostSearchMatches{"p1": {"found"}},
		}}
	},
	"GetTeamMembersForUser.members": func() any {
		return &plugin.Z_GetTeamMembersForUserReturns{A: []*model.TeamMember{{TeamId: "t1", UserId: "u1", Roles: "team_user", SchemeUser: true}}}
	},
}

type request struct {
	Decode []struct {
		Method string `json:"method"`
		Data   string `json:"data"`
	} `json:"decode"`
	Encode []string `json:"encode"`
}

func main() {
	var req request
	if err := json.NewDecoder(os.Stdin).Decode(&req); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	out := struct {
		Decoded []any             `json:"decoded"`
		Encoded map[string]string `json:"encoded"`
	}{Decoded: []any{}, Encoded: map[string]string{}}
	for _, d := range req.Decode {
		mk, ok := args[d.Method]
		if !ok {
			out.Decoded = append(out.Decoded, map[string]string{"error": "no args type for " + d.Method})
			continue
		}
		data, err := base64.StdEncoding.DecodeString(d.Data)
		v := mk()
		if err == nil {
			err = gob.NewDecoder(bytes.NewReader(data)).Decode(v)
		}
		if err != nil {
			out.Decoded = append(out.Decoded, map[string]string{"error": err.Error()})
			continue
		}
		out.Decoded = append(out.Decoded, v)
	}
	for _, name := range req.Encode {
		mk, ok := returns[name]
		if !ok {
			fmt.Fprintln(os.Stderr, "no returns case", name)
			os.Exit(2)
		}
		var b bytes.Buffer
		if err := gob.NewEncoder(&b).Encode(mk()); err != nil {
			fmt.Fprintln(os.Stderr, name, err)
			os.Exit(2)
		}
		out.Encoded[name] = base64.StdEncoding.EncodeToString(b.Bytes())
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
}
