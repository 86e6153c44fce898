//go:build !mmpublic_pre04

package harness

import "github.com/mattermost/mattermost/server/public/plugin"

// This file is the host side of server/public v0.4.0 and later (Mattermost 11.8+): the host has the
// hooks' *WithRPCErr variants and plugin.Context.ConnectionId. compat_pre04.go covers older lines.

// RPCHooks are the hooks with the *WithRPCErr variants: they report transport failures and
// return exactly what the plugin sent.
type RPCHooks = plugin.HooksWithRPCErr

// NewestHost reports whether the host code is the newest line's (the default build), whose
// models are the ones plugins built against the newest server/public have.
const NewestHost = true

// HostHasConnectionID reports whether this host code has plugin.Context.ConnectionId.
const HostHasConnectionID = true

// HooksRPC returns the hooks of the active plugin with the *WithRPCErr variants.
func (h *Host) HooksRPC() RPCHooks {
	h.T.Helper()
	hooks, err := h.Env.HooksForPluginWithRPCErr(h.ID)
	if err != nil {
		h.T.Fatal(err)
	}
	return hooks
}

// SetConnectionID sets c.ConnectionId (a no-op on hosts whose Context has no such field).
func SetConnectionID(c *plugin.Context, id string) {
	c.ConnectionId = id
}

// ConnectionID returns c.ConnectionId ("" on hosts whose Context has no such field).
func ConnectionID(c *plugin.Context) string {
	return c.ConnectionId
}

// HasPluginImplementing reports whether an active plugin implements the hook.
func (h *Host) HasPluginImplementing(hookID int) bool {
	return h.Env.HasPluginImplementing(hookID)
}

// strictFields: every field SetFields names exists in this version's models.
const strictFields = true

// ContextDiffOptions compare a plugin.Context echoed by a plugin (exactly, on this version).
var ContextDiffOptions []DiffOption
