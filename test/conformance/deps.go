// Package conformance starts the built TypeScript plugin with Mattermost's own plugin host code.
package conformance

import (
	_ "github.com/hashicorp/go-plugin"
	_ "github.com/hashicorp/yamux"
	_ "github.com/mattermost/mattermost/server/public/plugin"
	_ "github.com/mattermost/mattermost/server/public/plugin/plugintest"
	_ "github.com/stretchr/testify/require"
)
