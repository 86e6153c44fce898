//go:build mmpublic_pre021

package alerts

import "github.com/mattermost/mattermost/server/public/model"

// typedAttachment is the Go type of a post's typed message attachments: before server/public
// v0.2.1 it was named SlackAttachment (same gob name on the wire).
type typedAttachment = model.SlackAttachment

// attachmentsProp is the post prop holding message attachments (model.PostPropsAttachments
// arrived in server/public v0.1.11).
const attachmentsProp = "attachments"
