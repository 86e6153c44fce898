package alerts

import (
	"time"

	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mattermost/mattermost/server/public/model"
)

// TestAlertRules: who gets an alert for which post. Every "no alert" case has a positive control
// in the same world, so a plugin that never alerts fails too.
func TestAlertRules(t *testing.T) {
	t.Parallel()

	t.Run("author is not alerted, others are", func(t *testing.T) {
		w := newWorld(t)
		h := w.start()
		putWords(t, h, w.alice, w.town, "deploy")
		putWords(t, h, w.carol, w.town, "deploy")
		p := w.post(h, w.alice, w.town, "I will deploy at noon")
		w.requireDMs(w.alice, 0, "the author's own post")
		dms := w.requireDMs(w.carol, 1, "another member's word")
		w.requireAlert(dms[0], w.carol, p, w.town, "deploy")
	})

	t.Run("non-member cannot set words and is not alerted", func(t *testing.T) {
		w := newWorld(t)
		h := w.start()
		decodeError(t, do(t, h, http.MethodPut, wordsPath(w.town), w.dave.Id, map[string]any{"words": []string{"deploy"}}), http.StatusForbidden)
		decodeError(t, do(t, h, http.MethodPost, wordsPath(w.town), w.dave.Id, map[string]any{"word": "deploy"}), http.StatusForbidden)
		putWords(t, h, w.alice, w.town, "deploy")
		w.post(h, w.bob, w.town, "deploy now")
		w.requireDMs(w.dave, 0, "non-member")
		w.requireDMs(w.alice, 1, "member (control)")
	})

	t.Run("member who left after setting the word", func(t *testing.T) {
		w := newWorld(t)
		h := w.start()
		putWords(t, h, w.carol, w.town, "deploy")
		putWords(t, h, w.alice, w.town, "deploy")
		w.api.RemoveChannelMember(w.town.Id, w.carol.Id)
		w.post(h, w.bob, w.town, "deploy now")
		w.requireDMs(w.carol, 0, "left the channel")
		w.requireDMs(w.alice, 1, "still a member (control)")
		// Coming back restores the alerts (the words were kept).
		w.join(w.town, w.carol)
		w.post(h, w.bob, w.town, "deploy again")
		w.requireDMs(w.carol, 1, "rejoined")
	})

	t.Run("deactivated user", func(t *testing.T) {
		w := newWorld(t)
		h := w.start()
		putWords(t, h, w.erin, w.town, "deploy")
		putWords(t, h, w.alice, w.town, "deploy")
		erin := w.api.User(w.erin.Id)
		erin.DeleteAt = model.GetMillis()
		w.api.SeedUser(erin)
		w.post(h, w.bob, w.town, "deploy now")
		w.requireDMs(w.erin, 0, "deactivated")
		w.requireDMs(w.alice, 1, "active (control)")
	})

	t.Run("system message", func(t *testing.T) {
		w := newWorld(t)
		h := w.start()
		putWords(t, h, w.alice, w.town, "bob")
		before := len(w.allAlerts())
		for _, typ := range []string{model.PostTypeJoinChannel, model.PostTypeHeaderChange, "system_generic"} {
			w.post(h, w.bob, w.town, "bob joined the channel.", withType(typ))
		}
		w.requireNoNewDMs(before, "system messages")
		w.post(h, w.bob, w.town, "bob says hi")
		w.requireDMs(w.alice, 1, "an ordinary post (control)")
	})

	t.Run("bot's own post", func(t *testing.T) {
		w := newWorld(t)
		h := w.start()
		putWords(t, h, w.alice, w.town, "deploy")
		bot := w.api.User(w.botID())
		require.NotNil(t, bot)
		before := len(w.allAlerts())
		w.post(h, bot, w.town, "deploy reminder")
		w.post(h, bot, w.town, "deploy reminder", withProp("from_bot", "true"))
		w.requireNoNewDMs(before, "the plugin's bot")
		// Not even with alertonbotposts.
		w.reconfigure(map[string]any{"alertonbotposts": true}, h)
		w.post(h, bot, w.town, "deploy reminder", withProp("from_bot", "true"))
		w.requireNoNewDMs(before, "the plugin's bot with alertonbotposts")
	})

	t.Run("other bots: off by default, on with alertonbotposts", func(t *testing.T) {
		w := newWorld(t)
		h := w.start()
		putWords(t, h, w.alice, w.town, "deploy")
		before := len(w.allAlerts())
		w.post(h, w.ciBot, w.town, "deploy finished", withProp("from_bot", "true"))
		w.requireNoNewDMs(before, "another bot's post, default settings")

		w.reconfigure(map[string]any{"alertonbotposts": true}, h)
		p := w.post(h, w.ciBot, w.town, "deploy finished again", withProp("from_bot", "true"))
		dms := w.requireDMs(w.alice, 1, "another bot's post with alertonbotposts=true")
		w.requireAlert(dms[0], w.alice, p, w.town, "deploy")

		w.reconfigure(map[string]any{"alertonbotposts": false}, h)
		w.post(h, w.ciBot, w.town, "deploy finished a third time", withProp("from_bot", "true"))
		w.requireDMs(w.alice, 1, "back to alertonbotposts=false")
	})

	t.Run("one DM listing every matched word", func(t *testing.T) {
		w := newWorld(t)
		h := w.start()
		putWords(t, h, w.alice, w.town, "deploy", "rollback", "unrelated")
		p := w.post(h, w.bob, w.town, "deploy failed so we rollback, deploy again later")
		dms := w.requireDMs(w.alice, 1, "two words in one post")
		w.requireAlert(dms[0], w.alice, p, w.town, "deploy", "rollback")
		header := strings.ToLower(headerOf(dms[0].Message))
		assert.Contains(t, header, "deploy", "listed words:\n%s", dms[0].Message)
		assert.Contains(t, header, "rollback", "listed words:\n%s", dms[0].Message)
		assert.NotContains(t, header, "unrelated", "a word not in the post:\n%s", dms[0].Message)
		assert.Len(t, w.allAlerts(), 1)
	})

	t.Run("edit alerts only for new words", func(t *testing.T) {
		w := newWorld(t)
		h := w.start()
		putWords(t, h, w.alice, w.town, "deploy", "rollback")
		p := w.post(h, w.bob, w.town, "deploy at noon")
		w.requireDMs(w.alice, 1, "the original post")

		p2 := w.edit(h, p, "deploy at noon (edited: typo)")
		w.requireDMs(w.alice, 1, "an edit adding no word")

		p3 := w.edit(h, p2, "deploy at noon, rollback if it fails")
		dms := w.requireDMs(w.alice, 2, "an edit adding a word")
		w.requireAlert(dms[1], w.alice, p3, w.town, "rollback")
		header := strings.ToLower(headerOf(dms[1].Message))
		assert.NotContains(t, header, "deploy", "only the new word is listed:\n%s", dms[1].Message)

		w.edit(h, p3, "DEPLOY at noon, Rollback if it fails")
		w.requireDMs(w.alice, 2, "an edit changing only the case of words already there")
	})

	t.Run("phrase with spaces", func(t *testing.T) {
		w := newWorld(t)
		h := w.start()
		putWords(t, h, w.alice, w.town, "on call")
		before := len(w.allAlerts())
		w.post(h, w.bob, w.town, "the call is on")
		w.post(h, w.bob, w.town, "oncall rotation")
		w.requireNoNewDMs(before, "the phrase's words, not the phrase")
		p := w.post(h, w.bob, w.town, "Who is ON CALL tonight?")
		dms := w.requireDMs(w.alice, 1, "the phrase, other case")
		w.requireAlert(dms[0], w.alice, p, w.town, "on call")
	})

	t.Run("whole words: baptiste is not fired by jean-baptiste", func(t *testing.T) {
		w := newWorld(t)
		h := w.start()
		putWords(t, h, w.alice, w.town, "baptiste")
		before := len(w.allAlerts())
		w.post(h, w.bob, w.town, "ask jean-baptiste about it")
		w.post(h, w.bob, w.town, "ask baptistes about it")
		w.requireNoNewDMs(before, "part of a longer word")
		p := w.post(h, w.bob, w.town, "ask Baptiste, about it")
		dms := w.requireDMs(w.alice, 1, "the word alone")
		w.requireAlert(dms[0], w.alice, p, w.town, "baptiste")
	})

	t.Run("message attachment text", func(t *testing.T) {
		w := newWorld(t)
		h := w.start()
		putWords(t, h, w.alice, w.town, "outage")
		w.reconfigure(map[string]any{"alertonbotposts": true}, h)
		// As an integration posts it: typed attachments (what the server's code builds).
		p := w.post(h, w.ciBot, w.town, "", withProp("from_bot", "true"),
			withProp(attachmentsProp, []*typedAttachment{{Fallback: "status", Title: "Status", Text: "Database outage in eu-west"}}))
		dms := w.requireDMs(w.alice, 1, "typed attachment text")
		w.requireAlert(dms[0], w.alice, p, w.town, "outage")
		// As JSON from the REST API: a list of objects.
		p = w.post(h, w.bob, w.town, "see below",
			withProp(attachmentsProp, []any{map[string]any{"text": "another outage report"}}))
		dms = w.requireDMs(w.alice, 2, "JSON attachment text")
		w.requireAlert(dms[1], w.alice, p, w.town, "outage")
	})

	t.Run("other channel's words do not fire", func(t *testing.T) {
		w := newWorld(t)
		h := w.start()
		putWords(t, h, w.alice, w.dev, "deploy")
		before := len(w.allAlerts())
		w.post(h, w.bob, w.town, "deploy now")
		w.requireNoNewDMs(before, "word set in another channel")
		p := w.post(h, w.bob, w.dev, "deploy now")
		dms := w.requireDMs(w.alice, 1, "the channel of the word")
		w.requireAlert(dms[0], w.alice, p, w.dev, "deploy")
	})

	t.Run("enablealerts=false", func(t *testing.T) {
		w := newWorld(t)
		h := w.start()
		putWords(t, h, w.alice, w.town, "deploy")
		w.reconfigure(map[string]any{"enablealerts": false}, h)
		before := len(w.allAlerts())
		w.post(h, w.bob, w.town, "deploy now")
		w.requireNoNewDMs(before, "alerts disabled")
		// Words can still be managed.
		addWord(t, h, w.alice, w.town, "rollback")
		w.reconfigure(map[string]any{"enablealerts": true}, h)
		w.post(h, w.bob, w.town, "rollback now")
		w.requireDMs(w.alice, 1, "alerts enabled again")
	})

	t.Run("words with punctuation", func(t *testing.T) {
		w := newWorld(t)
		h := w.start()
		putWords(t, h, w.alice, w.town, "c++", "node.js")
		before := len(w.allAlerts())
		w.post(h, w.bob, w.town, "nodexjs and c are different")
		w.requireNoNewDMs(before, "regex-like characters are literal")
		p := w.post(h, w.bob, w.town, "Rewrite it in C++ or Node.js?")
		dms := w.requireDMs(w.alice, 1, "words with punctuation")
		w.requireAlert(dms[0], w.alice, p, w.town, "c++", "node.js")
	})

	t.Run("excerptlength", func(t *testing.T) {
		w := newWorld(t)
		w.settings(map[string]any{"excerptlength": 40})
		h := w.start()
		putWords(t, h, w.alice, w.town, "deploy")
		long := strings.Repeat("lorem ipsum dolor sit amet ", 10) + "deploy " + strings.Repeat("consectetur adipiscing elit ", 10)
		p := w.post(h, w.bob, w.town, long)
		dms := w.requireDMs(w.alice, 1, "a long post")
		w.requireAlert(dms[0], w.alice, p, w.town, "deploy")
		excerpt := quotedText(dms[0].Message)
		require.Contains(t, excerpt, "deploy", "the excerpt shows the match:\n%s", dms[0].Message)
		n := len([]rune(excerpt))
		assert.True(t, n > 0 && n <= 40+2, "excerpt of %d characters with excerptlength=40: %q", n, excerpt)
		assert.Less(t, len(dms[0].Message), len(long), "the whole post is not quoted")

		w.reconfigure(map[string]any{"excerptlength": 1000}, h)
		p = w.post(h, w.bob, w.town, long)
		dms = w.requireDMs(w.alice, 2, "a long post, excerptlength=1000")
		w.requireAlert(dms[1], w.alice, p, w.town, "deploy")
		assert.Equal(t, strings.TrimSpace(long), quotedText(dms[1].Message), "with room for it, the whole post is quoted")
	})

	t.Run("one recipient's failure does not cost the others", func(t *testing.T) {
		w := newWorld(t)
		h := w.start()
		putWords(t, h, w.alice, w.town, "deploy")
		putWords(t, h, w.carol, w.town, "deploy")
		// Setting a word makes the bot's direct channel (in the background), so the failure is injected
		// where every alert passes: the post into carol's channel, and opening it again.
		var carolDM *model.Channel
		require.Eventually(t, func() bool {
			carolDM = w.api.DirectChannel(w.botID(), w.carol.Id)
			return carolDM != nil
		}, 10*time.Second, 20*time.Millisecond, "the bot's direct channel with carol is made when she sets a word")
		carol := w.carol.Id
		w.api.InjectErrorFunc("CreatePost", func(args []any) error {
			if p, ok := args[0].(*model.Post); ok && p.ChannelId == carolDM.Id {
				return errors.New("cannot post in the DM")
			}
			return nil
		})
		w.api.InjectErrorFunc("GetDirectChannel", func(args []any) error {
			if len(args) == 2 && (args[0] == carol || args[1] == carol) {
				return errors.New("cannot open the DM")
			}
			return nil
		})
		p := w.post(h, w.bob, w.town, "deploy now")
		w.api.ClearError("CreatePost")
		w.api.ClearError("GetDirectChannel")
		w.requireDMs(w.carol, 0, "the failed recipient")
		dms := w.requireDMs(w.alice, 1, "the other recipient")
		w.requireAlert(dms[0], w.alice, p, w.town, "deploy")
		// The plugin is still fine afterwards.
		w.post(h, w.bob, w.town, "deploy again")
		w.requireDMs(w.carol, 1, "after the failure")
	})

	t.Run("reply in a thread links the reply", func(t *testing.T) {
		w := newWorld(t)
		h := w.start()
		putWords(t, h, w.alice, w.town, "deploy")
		root := w.post(h, w.carol, w.town, "release thread")
		p := w.post(h, w.bob, w.town, "deploy is done", asReplyTo(root))
		dms := w.requireDMs(w.alice, 1, "a reply")
		w.requireAlert(dms[0], w.alice, p, w.town, "deploy")
		assert.NotContains(t, dms[0].Message, "/pl/"+root.Id, "the permalink is the reply's, not the root's")
	})

	t.Run("site URL with a path and a trailing slash", func(t *testing.T) {
		w := newWorld(t)
		h := w.start()
		putWords(t, h, w.alice, w.town, "deploy")
		cfg := w.api.Config()
		cfg.ServiceSettings.SiteURL = model.NewPointer("https://example.org/chat/")
		w.api.SetConfig(cfg)
		require.NoError(t, h.ConfigurationChanged()) // the server runs it on every config change
		p := w.post(h, w.bob, w.town, "deploy")
		dms := w.requireDMs(w.alice, 1, "after a site URL change")
		assert.Contains(t, dms[0].Message, "https://example.org/chat/acme/pl/"+p.Id)
	})
}
