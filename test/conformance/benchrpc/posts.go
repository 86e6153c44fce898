// Package benchrpc measures the TypeScript runtime against a Go plugin (bench_test.go). The post every
// hook round trip carries lives here, outside the test file, so that the frame capture for the decoding
// micro-benchmark (postframe/) sends exactly the same shape.
package benchrpc

import (
	"fmt"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"
)

// RealisticPost is the size and shape of an everyday post: a paragraph, a few props, some metadata.
func RealisticPost(i int) *model.Post {
	return &model.Post{
		Id:        model.NewId(),
		CreateAt:  model.GetMillis(),
		UpdateAt:  model.GetMillis(),
		UserId:    model.NewId(),
		ChannelId: model.NewId(),
		Message: fmt.Sprintf("Deploy #%d of the billing service is done 🚀 — see the dashboard at https://grafana.example.com/d/abc "+
			"and ping @oncall if the error rate goes above 1%%. Thanks everyone for the quick review of the migration plan; "+
			"next up is the search cluster upgrade on Thursday, details in ~release-planning. %s", i, strings.Repeat("·", 600)),
		Props:    model.StringInterface{"conformance_noop": true, "from_webhook": "false", "disable_group_highlight": true},
		Hashtags: "#deploy #billing",
		FileIds:  model.StringArray{model.NewId()},
		Metadata: &model.PostMetadata{
			Embeds:    []*model.PostEmbed{{Type: "opengraph", URL: "https://grafana.example.com/d/abc"}},
			Images:    map[string]*model.PostImage{"https://grafana.example.com/og.png": {Width: 1200, Height: 630, Format: "png"}},
			Emojis:    []*model.Emoji{},
			Files:     []*model.FileInfo{{Id: model.NewId(), Name: "plan.pdf", Extension: "pdf", Size: 48213, MimeType: "application/pdf"}},
			Reactions: []*model.Reaction{{UserId: model.NewId(), PostId: model.NewId(), EmojiName: "tada", CreateAt: model.GetMillis()}},
		},
	}
}
