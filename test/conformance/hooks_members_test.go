//go:build !mmpublic_pre03

package conformance

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin"
)

// ChannelMemberWillBeAdded and TeamMemberWillBeAdded exist from server/public v0.3.0 (Mattermost 11.7)
// on. The host starts from the member it passes in, so "as is" and a rejection give that member back.

func init() {
	addContractHooks(map[string]int{
		"ChannelMemberWillBeAdded": plugin.ChannelMemberWillBeAddedID,
		"TeamMemberWillBeAdded":    plugin.TeamMemberWillBeAddedID,
	})
}

func TestChannelMemberWillBeAdded(t *testing.T) {
	h := start(t)
	call := func(m *model.ChannelMember) (got *model.ChannelMember, reason string) {
		requireRPC(t, h, "ChannelMemberWillBeAdded", func() { got, reason = h.Hooks().ChannelMemberWillBeAdded(testContext(), m) })
		return got, reason
	}

	t.Run("promote", func(t *testing.T) {
		m := fixtureMember()
		m.Roles = "channel_user promote-me"
		want := *m
		want.Roles = m.Roles + " channel_admin"
		want.SchemeAdmin = true
		got, reason := call(m)
		assert.Equal(t, "", reason)
		require.NotNil(t, got)
		requireNoDiff(t, "promoted member", gobRT(t, &want), got)
	})

	t.Run("reject", func(t *testing.T) {
		m := fixtureMember()
		m.Roles = "channel_user reject-me"
		got, reason := call(m)
		assert.Equal(t, "rejected: "+m.UserId, reason)
		assert.Same(t, m, got)
	})

	t.Run("pass-through", func(t *testing.T) {
		m := fixtureMember()
		snapshot := gobRT(t, m)
		got, reason := call(m)
		assert.Equal(t, "", reason)
		assert.Same(t, m, got)
		requireNoDiff(t, "unchanged member", snapshot, got)
	})
}

func fixtureTeamMember() *model.TeamMember {
	return &model.TeamMember{
		TeamId: teamID, UserId: bobID, Roles: "team_user", DeleteAt: 0, SchemeGuest: false,
		SchemeUser: true, SchemeAdmin: false, ExplicitRoles: "custom ✓", CreateAt: 1700000000000,
	}
}

func TestTeamMemberWillBeAdded(t *testing.T) {
	h := start(t)
	call := func(m *model.TeamMember) (got *model.TeamMember, reason string) {
		requireRPC(t, h, "TeamMemberWillBeAdded", func() { got, reason = h.Hooks().TeamMemberWillBeAdded(testContext(), m) })
		return got, reason
	}

	t.Run("promote", func(t *testing.T) {
		m := fixtureTeamMember()
		m.Roles = "team_user promote-me"
		want := *m
		want.Roles = m.Roles + " team_admin"
		want.SchemeAdmin = true
		got, reason := call(m)
		assert.Equal(t, "", reason)
		require.NotNil(t, got)
		requireNoDiff(t, "promoted member", gobRT(t, &want), got)
	})

	t.Run("reject", func(t *testing.T) {
		m := fixtureTeamMember()
		m.Roles = "reject-me"
		got, reason := call(m)
		assert.Equal(t, "rejected: "+m.UserId, reason)
		assert.Same(t, m, got)
	})

	t.Run("pass-through", func(t *testing.T) {
		m := fixtureTeamMember()
		got, reason := call(m)
		assert.Equal(t, "", reason)
		assert.Same(t, m, got)
	})
}
