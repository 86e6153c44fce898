//go:build !mmpublic_pre04

package conformance

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin"
)

// MessagesWillBeConsumedWithContext exists from server/public v0.4.0 (Mattermost 11.8) on.

func init() {
	addContractHooks(map[string]int{"MessagesWillBeConsumedWithContext": plugin.MessagesWillBeConsumedWithContextID})
}

func TestMessagesWillBeConsumedWithContext(t *testing.T) {
	h := start(t)
	marked := richPost()
	marked.AddProp("conformance_consume", true)
	c := testContext()
	var got []*model.Post
	requireRPC(t, h, "MessagesWillBeConsumedWithContext", func() {
		got = h.Hooks().MessagesWillBeConsumedWithContext(c, []*model.Post{richPost(), marked.Clone()})
	})
	require.Len(t, got, 1)
	want := marked.Clone()
	want.Message = "consumed for " + c.RequestId + ": " + marked.Message
	requireNoDiff(t, "replacement", gobRT(t, want), got[0])
}
