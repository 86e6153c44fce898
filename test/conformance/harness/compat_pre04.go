//go:build mmpublic_pre04

package harness

import (
	"fmt"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin"
)

// This file is the host side of server/public before v0.4.0 (Mattermost 11.7 ESR and older): the
// host has no *WithRPCErr hook variants and no plugin.Context.ConnectionId. The hooks' RPC client
// of these versions logs a transport failure ("RPC call <Hook> to plugin failed.") and returns
// zero values, so the *WithRPCErr variants the tests use are rebuilt from the plain hooks and the
// host log.

// RPCHooks are the *WithRPCErr hooks the tests use.
type RPCHooks interface {
	OnConfigurationChangeWithRPCErr() (error, error)
	ConfigurationWillBeSavedWithRPCErr(newCfg *model.Config) (*model.Config, error, error)
	MessageHasBeenPostedWithRPCErr(c *plugin.Context, post *model.Post) error
	MessageHasBeenUpdatedWithRPCErr(c *plugin.Context, newPost, oldPost *model.Post) error
	MessageWillBePostedWithRPCErr(c *plugin.Context, post *model.Post) (*model.Post, string, error)
	ExecuteCommandWithRPCErr(c *plugin.Context, args *model.CommandArgs) (*model.CommandResponse, *model.AppError, error)
	OnPluginClusterEventWithRPCErr(c *plugin.Context, ev model.PluginClusterEvent) error
}

// NewestHost reports whether the host code is the newest line's (the default build), whose
// models are the ones plugins built against the newest server/public have.
const NewestHost = false

// HostHasConnectionID reports whether this host code has plugin.Context.ConnectionId.
const HostHasConnectionID = false

// HooksRPC returns the hooks of the active plugin with *WithRPCErr variants.
func (h *Host) HooksRPC() RPCHooks {
	h.T.Helper()
	return &logCheckedHooks{host: h, hooks: h.Hooks()}
}

// SetConnectionID sets c.ConnectionId (a no-op on hosts whose Context has no such field).
func SetConnectionID(_ *plugin.Context, _ string) {}

// ConnectionID returns c.ConnectionId ("" on hosts whose Context has no such field).
func ConnectionID(_ *plugin.Context) string {
	return ""
}

// logCheckedHooks reports a transport failure when the host logged one for the hook during the
// call. With concurrent calls of the same hook a failure may be reported to a neighbour call;
// the test fails either way.
type logCheckedHooks struct {
	host  *Host
	hooks plugin.Hooks
}

func (l *logCheckedHooks) check(hook string, call func()) error {
	marker := fmt.Sprintf("RPC call %s to plugin failed.", hook)
	_ = l.host.logger.Flush()
	before := strings.Count(l.host.Logs.String(), marker)
	call()
	_ = l.host.logger.Flush()
	log := l.host.Logs.String()
	if strings.Count(log, marker) > before {
		line := log[strings.LastIndex(log, marker):]
		if i := strings.IndexByte(line, '\n'); i >= 0 {
			line = line[:i]
		}
		return fmt.Errorf("the host logged a transport failure: %s", line)
	}
	return nil
}

func (l *logCheckedHooks) OnConfigurationChangeWithRPCErr() (err error, rpcErr error) {
	rpcErr = l.check("OnConfigurationChange", func() { err = l.hooks.OnConfigurationChange() })
	return err, rpcErr
}

func (l *logCheckedHooks) ConfigurationWillBeSavedWithRPCErr(newCfg *model.Config) (out *model.Config, err error, rpcErr error) {
	rpcErr = l.check("ConfigurationWillBeSaved", func() { out, err = l.hooks.ConfigurationWillBeSaved(newCfg) })
	return out, err, rpcErr
}

func (l *logCheckedHooks) MessageHasBeenPostedWithRPCErr(c *plugin.Context, post *model.Post) error {
	return l.check("MessageHasBeenPosted", func() { l.hooks.MessageHasBeenPosted(c, post) })
}

func (l *logCheckedHooks) MessageHasBeenUpdatedWithRPCErr(c *plugin.Context, newPost, oldPost *model.Post) error {
	return l.check("MessageHasBeenUpdated", func() { l.hooks.MessageHasBeenUpdated(c, newPost, oldPost) })
}

// MessageWillBePostedWithRPCErr: these hosts decode the plugin's reply over the post passed in (the
// returned post is that post), so a plugin that sent no post and one that sent the post unchanged
// look the same. The post is reported as not sent (nil) when it came back unchanged.
func (l *logCheckedHooks) MessageWillBePostedWithRPCErr(c *plugin.Context, post *model.Post) (out *model.Post, reason string, rpcErr error) {
	before, err := GobRoundTrip(post)
	if err != nil {
		return nil, "", fmt.Errorf("snapshot of the post: %w", err)
	}
	rpcErr = l.check("MessageWillBePosted", func() { out, reason = l.hooks.MessageWillBePosted(c, post) })
	if out == post && len(Diff(before, out)) == 0 {
		out = nil
	}
	return out, reason, rpcErr
}

func (l *logCheckedHooks) ExecuteCommandWithRPCErr(c *plugin.Context, args *model.CommandArgs) (resp *model.CommandResponse, appErr *model.AppError, rpcErr error) {
	rpcErr = l.check("ExecuteCommand", func() { resp, appErr = l.hooks.ExecuteCommand(c, args) })
	return resp, appErr, rpcErr
}

func (l *logCheckedHooks) OnPluginClusterEventWithRPCErr(c *plugin.Context, ev model.PluginClusterEvent) error {
	return l.check("OnPluginClusterEvent", func() { l.hooks.OnPluginClusterEvent(c, ev) })
}

// HasPluginImplementing reports whether the plugin implements the hook: these hosts have no
// Environment.HasPluginImplementing, but RunMultiPluginHook only visits plugins implementing it.
func (h *Host) HasPluginImplementing(hookID int) bool {
	found := false
	h.Env.RunMultiPluginHook(func(_ plugin.Hooks, m *model.Manifest) bool {
		found = found || m.Id == h.ID
		return true
	}, hookID)
	return found
}

// strictFields: older models lack fields the newest fixtures set; SetFields skips those.
const strictFields = false

// ContextDiffOptions compare a plugin.Context echoed by a plugin: one built against a newer
// server/public reports the fields these hosts do not send (ConnectionId) as "", one built
// against this version does not have them.
var ContextDiffOptions = []DiffOption{ZeroScalarsAsMissing()}
