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
	team, appErr := api.GetTeamByName("t1")
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
	assert.Equal(t, []string{"GetTeamByName", "UnregisterCommand", "DeleteEphemeralPost"}, methods)
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

func TestInjectErrorFuncAndAfter(t *testing.T) {
	api := New()
	api.InjectErrorAfter("KVSet", 2, errors.New("down"))
	require.Nil(t, api.KVSet("a", []byte("1")))
	require.Nil(t, api.KVSet("b", []byte("1")))
	appErr := api.KVSet("c", []byte("1"))
	require.NotNil(t, appErr)
	assert.Equal(t, "down", appErr.Message)
	_, exists := api.KVValue("c")
	assert.False(t, exists, "a failed call does no work")
	api.ClearError("KVSet")
	require.Nil(t, api.KVSet("c", []byte("1")))

	api.InjectErrorFunc("KVGet", func(args []any) error {
		if args[0] == "b" {
			return errors.New("only b")
		}
		return nil
	})
	_, appErr = api.KVGet("a")
	assert.Nil(t, appErr)
	_, appErr = api.KVGet("b")
	require.NotNil(t, appErr)
	api.InjectError("KVGet", nil) // nil clears
	_, appErr = api.KVGet("b")
	assert.Nil(t, appErr)
	assert.Equal(t, map[string][]byte{"a": []byte("1"), "b": []byte("1"), "c": []byte("1")}, api.KVSnapshot())
}

func TestTeamsImagesBundleAndBots(t *testing.T) {
	api := New()
	api.SeedTeam(&model.Team{Id: "t1", Name: "acme"})
	team, appErr := api.GetTeam("t1")
	require.Nil(t, appErr)
	assert.Equal(t, "acme", team.Name)
	_, appErr = api.GetTeam("t2")
	require.NotNil(t, appErr)
	assert.Equal(t, 404, appErr.StatusCode)

	id, err := api.EnsureBotUser(&model.Bot{Username: "b", DisplayName: "One"})
	require.NoError(t, err)
	again, err := api.EnsureBotUser(&model.Bot{Username: "b", DisplayName: "Two"})
	require.NoError(t, err)
	assert.Equal(t, id, again, "same username, same bot")
	assert.Equal(t, "Two", api.Bot("b").DisplayName, "an existing bot is patched")
	assert.Equal(t, "Two", api.User(id).FirstName)
	assert.True(t, api.User(id).IsBot)

	require.Nil(t, api.SetProfileImage(id, []byte{1, 2}))
	img, ok := api.ProfileImage(id)
	assert.True(t, ok)
	assert.Equal(t, []byte{1, 2}, img)
	require.NotNil(t, api.SetProfileImage("nobody", []byte{1}))

	api.SetBundlePath("/default")
	p, err := api.GetBundlePath()
	require.NoError(t, err)
	assert.Equal(t, "/default", p)
	view := api.ForBundle("/plugins/x")
	p, err = view.GetBundlePath()
	require.NoError(t, err)
	assert.Equal(t, "/plugins/x", p)
	_, appErr = view.GetTeam("t1")
	assert.Nil(t, appErr, "the view shares the fake's state")
	assert.Equal(t, 2, len(api.Calls("GetBundlePath")))
	assert.Empty(t, api.Unexpected())

	api.SeedUser(&model.User{Id: "u1"})
	api.SeedUser(&model.User{Id: "u2"})
	assert.Nil(t, api.DirectChannel("u1", "u2"))
	dm, appErr := api.GetDirectChannel("u1", "u2")
	require.Nil(t, appErr)
	assert.Equal(t, dm.Id, api.DirectChannel("u2", "u1").Id)
	_, appErr = api.CreatePost(&model.Post{ChannelId: dm.Id, Message: "1"})
	require.Nil(t, appErr)
	api.SeedPost(&model.Post{Id: "p2", ChannelId: dm.Id, Message: "2"})
	var msgs []string
	for _, p := range api.Posts(dm.Id) {
		msgs = append(msgs, p.Message)
	}
	assert.Equal(t, []string{"1", "2"}, msgs)

	api.SeedChannelMember(&model.ChannelMember{ChannelId: "c", UserId: "u1"})
	api.RemoveChannelMember("c", "u1")
	_, appErr = api.GetChannelMember("c", "u1")
	require.NotNil(t, appErr)
	assert.Equal(t, 404, appErr.StatusCode)
}

func TestInjectFault(t *testing.T) {
	api := New()
	require.Nil(t, api.KVSet("k", []byte("1")))
	boom := errors.New("store timeout")

	// Err: the call fails and does nothing.
	api.InjectFault("KVSet", func([]any) Fault { return Fault{Err: boom} })
	appErr := api.KVSet("k", []byte("2"))
	require.NotNil(t, appErr)
	assert.Equal(t, "store timeout", appErr.Message)
	v, _ := api.KVValue("k")
	assert.Equal(t, []byte("1"), v)

	// AfterWrite: the write happens, the answer is an error.
	api.InjectFault("KVCompareAndSet", func([]any) Fault { return Fault{Err: boom, AfterWrite: true} })
	ok, appErr := api.KVCompareAndSet("k", []byte("1"), []byte("3"))
	assert.False(t, ok)
	require.NotNil(t, appErr)
	v, _ = api.KVValue("k")
	assert.Equal(t, []byte("3"), v)
	api.ClearFault("KVCompareAndSet")
	ok, appErr = api.KVCompareAndSet("k", []byte("3"), []byte("4"))
	assert.True(t, ok)
	assert.Nil(t, appErr)

	// AfterWrite on a read: fails before the work, like Err.
	api.InjectFault("KVGet", func([]any) Fault { return Fault{Err: boom, AfterWrite: true} })
	_, appErr = api.KVGet("k")
	require.NotNil(t, appErr)
	api.ClearFault("KVGet")

	// Delay: the call waits without holding the lock, other calls go on.
	api.ClearFault("KVSet")
	api.InjectFault("KVGet", func(args []any) Fault {
		if args[0] == "slow" {
			return Fault{Delay: 300 * time.Millisecond}
		}
		return Fault{}
	})
	done := make(chan time.Duration)
	go func() {
		t0 := time.Now()
		_, _ = api.KVGet("slow")
		done <- time.Since(t0)
	}()
	time.Sleep(50 * time.Millisecond)
	t0 := time.Now()
	v, appErr = api.KVGet("k")
	assert.Nil(t, appErr)
	assert.Equal(t, []byte("4"), v)
	assert.Less(t, time.Since(t0), 200*time.Millisecond, "a delayed call must not block the others")
	assert.GreaterOrEqual(t, <-done, 300*time.Millisecond)
}
