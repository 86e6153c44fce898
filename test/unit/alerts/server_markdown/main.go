// What Mattermost's server-side markdown parser (server/public/shared/markdown: the one the server uses to
// pick a post's links for previews and its images for the image proxy) makes of messages: reads a JSON
// array of messages on stdin, writes for each its HTML rendering and every block and inline node with its
// path from the document (and a link's or image's destination). Built and run by server_markdown.ts.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/mattermost/mattermost/server/public/shared/markdown"
)

type node struct {
	Path string `json:"path"`
	Dest string `json:"dest,omitempty"`
	Text string `json:"text,omitempty"`
}

type result struct {
	HTML  string `json:"html"`
	Nodes []node `json:"nodes"`
}

func main() {
	var messages []string
	if err := json.NewDecoder(os.Stdin).Decode(&messages); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	results := make([]result, 0, len(messages))
	for _, m := range messages {
		r := result{HTML: markdown.RenderHTML(m), Nodes: []node{}}
		var path []string
		markdown.Inspect(m, func(x any) bool {
			if x == nil {
				path = path[:len(path)-1]
				return true
			}
			path = append(path, strings.TrimPrefix(fmt.Sprintf("%T", x), "*markdown."))
			n := node{Path: strings.Join(path, "/")}
			switch v := x.(type) {
			case *markdown.InlineLink:
				n.Dest = v.Destination()
			case *markdown.InlineImage:
				n.Dest = v.Destination()
			case *markdown.ReferenceLink:
				n.Dest = v.ReferenceDefinition.Destination()
			case *markdown.ReferenceImage:
				n.Dest = v.ReferenceDefinition.Destination()
			case *markdown.Autolink:
				n.Dest = v.Destination()
			case *markdown.Text:
				n.Text = v.Text
			case *markdown.CodeSpan:
				n.Text = v.Code
			}
			r.Nodes = append(r.Nodes, n)
			return true
		})
		results = append(results, r)
	}
	if err := json.NewEncoder(os.Stdout).Encode(results); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
