package harness

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/mattermost/mattermost/server/public/model"
)

func TestDiffAcrossModels(t *testing.T) {
	raw := func(s string) json.RawMessage { return json.RawMessage(s) }
	// A field only the sender's (older) model has is skipped; one only the receiver's (newer)
	// model has must be zero.
	assert.Empty(t, Diff(raw(`{"Old":"x","Both":1}`), raw(`{"Both":1,"New":false,"NewObj":{"a":0,"b":""}}`), AcrossModels()))
	assert.Equal(t, []string{`$.Both: want 1, got 2`}, Diff(raw(`{"Old":"x","Both":1}`), raw(`{"Both":2}`), AcrossModels()))
	assert.Equal(t, []string{`$.S.New: want a zero value (a field the sender's model does not have), got true`},
		Diff(raw(`{"S":{"A":1}}`), raw(`{"S":{"A":1,"New":true}}`), AcrossModels()))
	// Without the option both are differences.
	assert.Len(t, Diff(raw(`{"Old":"x"}`), raw(`{"New":true}`)), 2)
}

func TestSetFields(t *testing.T) {
	args := &model.CommandArgs{UserId: "u"}
	SetFields(args, map[string]any{"ChannelId": "c", "TeamId": "t"})
	assert.Equal(t, "c", args.ChannelId)
	assert.Equal(t, "t", args.TeamId)
	assert.Panics(t, func() { SetFields(args, map[string]any{"ChannelId": 42}) }, "wrong type")
	assert.Panics(t, func() { SetFields(*args, map[string]any{"ChannelId": "c"}) }, "not a pointer")
	if strictFields {
		assert.Panics(t, func() { SetFields(args, map[string]any{"NoSuchField": "x"}) }, "unknown field on the newest models")
	} else {
		assert.NotPanics(t, func() { SetFields(args, map[string]any{"NoSuchField": "x"}) }, "unknown field on older models")
	}
}
