package bundle

import (
	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin"

	"triggeralerts/conformance/fakeapi"
)

// PluginID is the product's plugin id.
const PluginID = "trigger-alerts"

// World is the smallest server the product can do its job on: one team, one open channel, alice (who sets
// trigger words) and bob (who posts), both members, and plugin.json's default settings.
type World struct {
	API   *fakeapi.API
	Team  *model.Team
	Town  *model.Channel
	Alice *model.User
	Bob   *model.User
}

// NewWorld seeds a fresh fake API.
func NewWorld() *World {
	api := fakeapi.New()
	w := &World{API: api}
	w.Team = &model.Team{Id: model.NewId(), Name: "acme", DisplayName: "Acme Inc.", Type: model.TeamOpen}
	api.SeedTeam(w.Team)
	user := func(name string) *model.User {
		u := &model.User{Id: model.NewId(), Username: name, Email: name + "@example.com", Roles: model.SystemUserRoleId, CreateAt: 1600000000000}
		api.SeedUser(u)
		return u
	}
	w.Alice, w.Bob = user("alice"), user("bob")
	w.Town = &model.Channel{Id: model.NewId(), TeamId: w.Team.Id, Type: model.ChannelTypeOpen, Name: "town-square", DisplayName: "Town Square", CreateAt: 1600000000000}
	api.SeedChannel(w.Town)
	for _, u := range []*model.User{w.Alice, w.Bob} {
		api.SeedChannelMember(&model.ChannelMember{ChannelId: w.Town.Id, UserId: u.Id, Roles: model.ChannelUserRoleId, NotifyProps: model.GetDefaultChannelNotifyProps()})
	}
	// plugin.json's defaults, keys lower-cased, as the server hands the configuration over.
	api.SetPluginConfig(map[string]any{
		"enablealerts":       true,
		"botdisplayname":     "Trigger Alerts",
		"maxwordsperchannel": 25,
		"alertsperminute":    10,
		"alertonbotposts":    false,
		"excerptlength":      200,
	})
	return w
}

// WordsPath is the HTTP API path (below /plugins/<id>) of a channel's words.
func (w *World) WordsPath() string { return "/api/v1/channels/" + w.Town.Id + "/words" }

// Post stores a post by bob in town and returns it; deliver it with MessageHasBeenPosted.
func (w *World) Post(msg string) *model.Post {
	now := model.GetMillis()
	p := &model.Post{Id: model.NewId(), ChannelId: w.Town.Id, UserId: w.Bob.Id, Message: msg, CreateAt: now, UpdateAt: now}
	w.API.SeedPost(p)
	return p
}

// HookContext is the plugin.Context the server passes to MessageHasBeenPosted.
func HookContext() *plugin.Context {
	return &plugin.Context{RequestId: model.NewId(), IPAddress: "127.0.0.1", UserAgent: "bundle-test"}
}
