package alerts

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSlashCommand: /trigger add, list, remove and snooze: ephemeral replies, and effects seen
// through the HTTP API and the alerts.
func TestSlashCommand(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	h := w.start()

	// Registered at activation.
	var found bool
	for _, c := range w.api.Commands() {
		if c.Trigger == "trigger" {
			found = true
			assert.True(t, c.AutoComplete, "the command autocompletes")
		}
	}
	require.True(t, found, "RegisterCommand was not called with trigger \"trigger\" (commands: %d)", len(w.api.Commands()))

	// add: a word and a quoted phrase.
	r := w.command(h, w.alice, w.town, "/trigger add deploy")
	assert.Contains(t, strings.ToLower(r.Text), "deploy")
	r = w.command(h, w.alice, w.town, `/trigger add "on call"`)
	assert.Contains(t, strings.ToLower(r.Text), "on call")
	assert.Equal(t, []string{"deploy", "on call"}, getWords(t, h, w.alice, w.town).Words)
	assert.Empty(t, getWords(t, h, w.alice, w.dev).Words, "the command acts on the channel it was typed in")

	// add of a word already there: says so, nothing changes.
	r = w.command(h, w.alice, w.town, "/trigger add DEPLOY")
	assert.Regexp(t, regexp.MustCompile(`(?i)already`), r.Text)
	assert.Equal(t, []string{"deploy", "on call"}, getWords(t, h, w.alice, w.town).Words)

	// list.
	r = w.command(h, w.alice, w.town, "/trigger list")
	assert.Contains(t, r.Text, "deploy")
	assert.Contains(t, r.Text, "on call")
	r = w.command(h, w.alice, w.dev, "/trigger list")
	assert.NotContains(t, r.Text, "deploy", "list shows this channel's words only")

	// The words alert.
	p := w.post(h, w.bob, w.town, "who is on call for the deploy?")
	dms := w.requireDMs(w.alice, 1, "words added with /trigger")
	w.requireAlert(dms[0], w.alice, p, w.town, "deploy", "on call")

	// remove.
	r = w.command(h, w.alice, w.town, "/trigger remove deploy")
	assert.Contains(t, strings.ToLower(r.Text), "deploy")
	assert.Equal(t, []string{"on call"}, getWords(t, h, w.alice, w.town).Words)
	r = w.command(h, w.alice, w.town, "/trigger remove never-set")
	assert.Equal(t, []string{"on call"}, getWords(t, h, w.alice, w.town).Words)
	r = w.command(h, w.alice, w.town, "/trigger list")
	assert.NotContains(t, r.Text, "deploy")
	before := len(w.allAlerts())
	w.post(h, w.bob, w.town, "deploy again")
	w.requireNoNewDMs(before, "removed with /trigger")

	// snooze 1h: no alerts in this channel, still in others; GET shows it; off restores.
	w.command(h, w.alice, w.dev, "/trigger add build")
	start := time.Now()
	r = w.command(h, w.alice, w.town, "/trigger snooze 1h")
	assert.Regexp(t, regexp.MustCompile(`(?i)snooze`), r.Text)
	cw := getWords(t, h, w.alice, w.town)
	require.NotNil(t, cw.SnoozedUntil, "/trigger snooze 1h must snooze the channel")
	until := time.UnixMilli(*cw.SnoozedUntil)
	assert.WithinDuration(t, start.Add(time.Hour), until, 5*time.Second)
	assert.Nil(t, getWords(t, h, w.alice, w.dev).SnoozedUntil, "snooze is per channel")
	r = w.command(h, w.alice, w.town, "/trigger list")
	assert.Regexp(t, regexp.MustCompile(`(?i)snooze`), r.Text, "list mentions the snooze")

	before = len(w.allAlerts())
	w.post(h, w.bob, w.town, "on call handover")
	w.requireNoNewDMs(before, "snoozed channel")
	p = w.post(h, w.bob, w.dev, "build is red")
	dms = w.requireDMs(w.alice, 2, "another channel while one is snoozed")
	w.requireAlert(dms[1], w.alice, p, w.dev, "build")

	w.command(h, w.alice, w.town, "/trigger snooze 8h")
	cw = getWords(t, h, w.alice, w.town)
	require.NotNil(t, cw.SnoozedUntil)
	assert.WithinDuration(t, time.Now().Add(8*time.Hour), time.UnixMilli(*cw.SnoozedUntil), 5*time.Second)

	w.command(h, w.alice, w.town, "/trigger snooze off")
	assert.Nil(t, getWords(t, h, w.alice, w.town).SnoozedUntil)
	p = w.post(h, w.bob, w.town, "on call again")
	dms = w.requireDMs(w.alice, 3, "snooze off")
	w.requireAlert(dms[2], w.alice, p, w.town, "on call")

	// snooze tomorrow: 09:00 next day in the user's timezone (frank: Asia/Tokyo).
	before2 := time.Now()
	w.command(h, w.frank, w.town, "/trigger snooze tomorrow")
	cw = getWords(t, h, w.frank, w.town)
	require.NotNil(t, cw.SnoozedUntil)
	loc, err := time.LoadLocation("Asia/Tokyo")
	require.NoError(t, err)
	n := before2.In(loc)
	want := time.Date(n.Year(), n.Month(), n.Day()+1, 9, 0, 0, 0, loc)
	got := time.UnixMilli(*cw.SnoozedUntil)
	n2 := time.Now().In(loc)
	want2 := time.Date(n2.Year(), n2.Month(), n2.Day()+1, 9, 0, 0, 0, loc)
	assert.True(t, got.Equal(want) || got.Equal(want2), "tomorrow in Asia/Tokyo: got %s, want %s", got.In(loc), want)

	// Bad snooze duration: a reply, no change.
	r = w.command(h, w.alice, w.town, "/trigger snooze 2h")
	assert.Nil(t, getWords(t, h, w.alice, w.town).SnoozedUntil)

	// A non-member cannot set words with the command either.
	r = w.command(h, w.dave, w.town, "/trigger add deploy")
	assert.NotRegexp(t, regexp.MustCompile(`(?i)^added`), r.Text)
	w.join(w.town, w.dave)
	assert.Empty(t, getWords(t, h, w.dave, w.town).Words, "a non-member's /trigger add must not store a word")

	// add: too long, and over the limit: a reply, nothing stored.
	w.command(h, w.bob, w.town, "/trigger add "+strings.Repeat("x", 65))
	assert.Empty(t, getWords(t, h, w.bob, w.town).Words, "a 65-character word is refused")
	w.reconfigure(map[string]any{"maxwordsperchannel": 2}, h)
	w.command(h, w.bob, w.town, "/trigger add one")
	w.command(h, w.bob, w.town, "/trigger add two")
	r = w.command(h, w.bob, w.town, "/trigger add three")
	assert.Contains(t, r.Text, "2", "the reply names the limit")
	assert.Equal(t, []string{"one", "two"}, getWords(t, h, w.bob, w.town).Words)

	// Help for anything else.
	r = w.command(h, w.alice, w.town, "/trigger")
	assert.Contains(t, r.Text, "/trigger add")
	r = w.command(h, w.alice, w.town, "/trigger frobnicate")
	assert.Contains(t, r.Text, "/trigger add")
}
