// Command floorplugin is the cheapest plugin that sees every post: a MessageHasBeenPosted hook that does
// nothing. `npm run bench:server -- --floor` runs it beside ours to measure what any such plugin costs the
// server (the hook's RPC, the post's gob encoding), the floor under every plugin's no-match throughput.
package main

import (
	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin"
)

type floor struct {
	plugin.MattermostPlugin
}

// MessageHasBeenPosted does no work on purpose: what remains is what the server pays for the hook itself.
func (*floor) MessageHasBeenPosted(*plugin.Context, *model.Post) {}

func main() {
	plugin.ClientMain(&floor{})
}
