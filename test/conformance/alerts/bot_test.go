package alerts

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mattermost/mattermost/server/public/model"
)

// TestBot: the bot is ensured at activation with username trigger-alerts and the configured
// display name, gets assets/bot-icon.png as its profile image, and is the same bot after a
// re-activation (and the one alerts come from).
func TestBot(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.settings(map[string]any{"botdisplayname": "Word Watcher"})
	h := w.start()

	calls := w.api.Calls("EnsureBotUser")
	require.NotEmpty(t, calls, "EnsureBotUser not called at activation")
	arg, ok := calls[0].Args[0].(*model.Bot)
	require.True(t, ok && arg != nil, "EnsureBotUser argument: %#v", calls[0].Args[0])
	assert.Equal(t, pluginID, arg.Username)
	assert.Equal(t, "Word Watcher", arg.DisplayName, "the botdisplayname setting")
	bot := w.botID()

	icon, err := os.ReadFile(filepath.Join(pluginSource, "assets", "bot-icon.png"))
	require.NoError(t, err)
	img, ok := w.api.ProfileImage(bot)
	require.True(t, ok, "SetProfileImage was not called for the bot (calls: %d)", len(w.api.Calls("SetProfileImage")))
	assert.Equal(t, icon, img, "the bot's profile image is assets/bot-icon.png")
	for _, c := range w.api.Calls("SetProfileImage") {
		assert.Equal(t, bot, c.Args[0], "SetProfileImage for another user")
	}

	// Display name change from the System Console.
	w.reconfigure(map[string]any{"botdisplayname": "Alerts"}, h)
	assert.Equal(t, "Alerts", w.api.Bot(pluginID).DisplayName, "a new botdisplayname is applied to the bot")

	// Re-activation: the same bot, which alerts come from.
	var deactivated bool
	h.Do("Deactivate", func() { deactivated = h.Env.Deactivate(h.ID) })
	require.True(t, deactivated)
	require.NoError(t, h.Activate())
	calls = w.api.Calls("EnsureBotUser")
	last := calls[len(calls)-1]
	assert.Equal(t, pluginID, last.Args[0].(*model.Bot).Username)
	assert.Equal(t, "Alerts", last.Args[0].(*model.Bot).DisplayName)
	assert.Equal(t, bot, last.Returns[0], "re-activation reuses the bot")
	for _, c := range calls {
		assert.Equal(t, pluginID, c.Args[0].(*model.Bot).Username, "only one bot username is ever ensured")
	}

	putWords(t, h, w.alice, w.town, "deploy")
	p := w.post(h, w.bob, w.town, "deploy")
	dms := w.requireDMs(w.alice, 1, "after re-activation")
	w.requireAlert(dms[0], w.alice, p, w.town, "deploy")
	assert.Equal(t, bot, dms[0].UserId)

	// A second server ensures the same bot.
	w.start()
	calls = w.api.Calls("EnsureBotUser")
	assert.Equal(t, bot, calls[len(calls)-1].Returns[0])
}
