package fakeapi

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mattermost/mattermost/server/public/model"
)

func TestCatchAllRecordsUnexpectedCalls(t *testing.T) {
	api := New()
	team, appErr := api.GetTeam("t1")
	assert.Nil(t, team)
	require.NotNil(t, appErr)
	assert.Equal(t, 501, appErr.StatusCode)
	err := api.UnregisterCommand("t1", "x")
	assert.Error(t, err)
	api.DeleteEphemeralPost("u", "p") // no results
	var methods []string
	for _, c := range api.Unexpected() {
		methods = append(methods, c.Method)
	}
	assert.Equal(t, []string{"GetTeam", "UnregisterCommand", "DeleteEphemeralPost"}, methods)
	assert.Equal(t, []any{"t1"}, api.Unexpected()[0].Args)
}

func TestKVSemantics(t *testing.T) {
	api := New()
	require.Nil(t, api.KVSet("a", []byte("1")))
	v, appErr := api.KVGet("a")
	require.Nil(t, appErr)
	assert.Equal(t, []byte("1"), v)

	ok, _ := api.KVSetWithOptions("a", []byte("2"), model.PluginKVSetOptions{Atomic: true})
	assert.False(t, ok, "only-if-absent on an existing key")
	ok, _ = api.KVSetWithOptions("b", []byte("2"), model.PluginKVSetOptions{Atomic: true})
	assert.True(t, ok)
	ok, _ = api.KVCompareAndSet("b", []byte("2"), []byte("3"))
	assert.True(t, ok)
	ok, _ = api.KVCompareAndSet("b", []byte("2"), []byte("4"))
	assert.False(t, ok)
	ok, _ = api.KVCompareAndDelete("b", []byte("3"))
	assert.True(t, ok)
	_, exists := api.KVValue("b")
	assert.False(t, exists)

	_, appErr = api.KVSetWithOptions("c", []byte("x"), model.PluginKVSetOptions{OldValue: []byte("y")})
	require.NotNil(t, appErr)
	assert.Equal(t, 400, appErr.StatusCode)

	require.Nil(t, api.KVSetWithExpiry("e", []byte("x"), 10))
	api.Advance(9 * time.Second)
	_, exists = api.KVValue("e")
	assert.True(t, exists)
	api.Advance(time.Second)
	v, _ = api.KVGet("e")
	assert.Nil(t, v, "expired")

	for _, k := range []string{"d", "c", "b"} {
		api.KVPut(k, []byte(k))
	}
	keys, _ := api.KVList(0, 10)
	assert.Equal(t, []string{"a", "b", "c", "d"}, keys)
	keys, _ = api.KVList(1, 3)
	assert.Equal(t, []string{"d"}, keys)
	keys, _ = api.KVList(5, 3)
	assert.Equal(t, []string{}, keys)

	require.Nil(t, api.KVSet("a", nil))
	_, exists = api.KVValue("a")
	assert.False(t, exists, "KVSet with nil deletes")
}

func TestInjectedErrors(t *testing.T) {
	api := New()
	api.SeedUser(&model.User{Id: "u1", Username: "u"})
	injected := &model.AppError{Id: "x", StatusCode: 503}
	api.InjectError("GetUser", injected)
	_, appErr := api.GetUser("u1")
	assert.Same(t, injected, appErr)
	api.InjectError("GetUser", errors.New("plain"))
	_, appErr = api.GetUser("u1")
	require.NotNil(t, appErr)
	assert.Equal(t, "plain", appErr.Message)
	api.ClearError("GetUser")
	u, appErr := api.GetUser("u1")
	require.Nil(t, appErr)
	assert.Equal(t, "u", u.Username)
	_, appErr = api.GetUser("nope")
	require.NotNil(t, appErr)
	assert.Equal(t, "app.user.missing", appErr.Id)
	assert.Equal(t, 404, appErr.StatusCode)
	assert.Equal(t, 4, len(api.Calls("GetUser")))
}
