package harness

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/mattermost/mattermost/server/public/model"
)

func TestDiff(t *testing.T) {
	raw := func(s string) json.RawMessage { return json.RawMessage(s) }
	assert.Empty(t, Diff(raw(`{"a":1,"b":[1,2],"c":{"d":"x"}}`), raw(`{"c":{"d":"x"},"b":[1.0,2e0],"a":1}`)))
	assert.Empty(t, Diff(raw(`{"a":null,"b":{},"c":[]}`), raw(`{}`)), "null, missing, {} and [] are equal")
	assert.Empty(t, Diff(raw(`{"x":1e-7}`), raw(`{"x":1e-07}`)))
	assert.Equal(t, []string{`$.a: want 1, got 2`}, Diff(raw(`{"a":1}`), raw(`{"a":2}`)))
	assert.Equal(t, []string{`$.a: want false, got null/missing`}, Diff(raw(`{"a":false}`), raw(`{}`)))
	assert.Empty(t, Diff(raw(`{"a":false,"b":0,"c":""}`), raw(`{}`), ZeroScalarsAsMissing()))
	assert.Equal(t, []string{`$.l: want 2 elements, got 1`}, Diff(raw(`{"l":[1,2]}`), raw(`{"l":[1]}`)))
	assert.Equal(t, []string{`$["k ✓"][0]: want "a", got "b"`}, Diff(raw(`{"k ✓":["a"]}`), raw(`{"k ✓":["b"]}`)))
	assert.Equal(t, []string{`$.n: want 9007199254740993, got 9007199254740992`},
		Diff(raw(`{"n":9007199254740993}`), raw(`{"n":9007199254740992}`)), "int64 precision")
}

func TestGobRoundTrip(t *testing.T) {
	p := &model.Post{Id: "p", Props: model.StringInterface{}, FileIds: model.StringArray{}, RemoteId: model.NewPointer("")}
	got, err := GobRoundTrip(p)
	assert.NoError(t, err)
	assert.Equal(t, "p", got.Id)
	assert.NotNil(t, got.Props, "an empty non-nil map is sent")
	assert.Nil(t, got.FileIds, "an empty slice arrives nil")
	assert.Nil(t, got.RemoteId, "a pointer to a zero value arrives nil")

	var asAny any = &model.User{Id: "u"}
	out, err := GobRoundTrip(asAny)
	assert.NoError(t, err)
	assert.Equal(t, "u", out.(*model.User).Id)

	empty, err := GobRoundTrip(model.PluginKVSetOptions{})
	assert.NoError(t, err)
	assert.Equal(t, model.PluginKVSetOptions{}, empty)
}
