//go:build !mmpublic_pre021

package alerts

import "github.com/mattermost/mattermost/server/public/model"

// typedAttachment is the Go type of a post's typed message attachments (MessageAttachment since
// server/public v0.2.1; compat_pre021_test.go has the older name). The gob name on the wire is
// "[]*model.SlackAttachment" either way.
type typedAttachment = model.MessageAttachment

// attachmentsProp is the post prop holding message attachments.
const attachmentsProp = model.PostPropsAttachments
