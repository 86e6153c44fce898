package benchalerts

import (
	"fmt"
	"math/rand"
	"sort"
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"

	"triggeralerts/conformance/fakeapi"
)

// callsPhasePosts is how many posts of each kind the call count is taken over.
const callsPhasePosts = 200

// callCounts is what the plugin asked of the server API for sequential runs of posts: posts that
// match nobody, and posts that alert 1-3 users each, twice: the first time each recipient is
// alerted by this server (nothing about them known yet), and again with the same recipients (the
// steady state). Counted by the fake API, which records every call it answers, so the figures do
// not depend on the plugin counting itself.
type callCounts struct {
	noMatchPosts int
	noMatch      map[string]int
	first        alertRun
	again        alertRun
}

type alertRun struct {
	posts, alerts int
	calls         map[string]int
}

func total(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// perNoMatchPost is the API calls a post that alerts nobody costs.
func (c callCounts) perNoMatchPost() float64 {
	return float64(total(c.noMatch)) / float64(c.noMatchPosts)
}

// perAlert is what an alert adds: the calls of the posts that alerted, less what those posts
// would have cost had they matched nobody, per alert DM sent.
func (c callCounts) perAlert(r alertRun) float64 {
	return (float64(total(r.calls)) - c.perNoMatchPost()*float64(r.posts)) / float64(r.alerts)
}

func breakdown(m map[string]int, per int) string {
	methods := make([]string, 0, len(m))
	for k := range m {
		methods = append(methods, k)
	}
	sort.Slice(methods, func(i, j int) bool {
		return m[methods[i]] > m[methods[j]] || (m[methods[i]] == m[methods[j]] && methods[i] < methods[j])
	})
	parts := make([]string, 0, len(methods))
	for _, k := range methods {
		parts = append(parts, fmt.Sprintf("%s %.2f", k, float64(m[k])/float64(per)))
	}
	return strings.Join(parts, ", ")
}

func (c callCounts) print() {
	fmt.Printf("server API calls (counted by the fake API; %d posts of each kind, one at a time):\n", callsPhasePosts)
	fmt.Printf("  per post that alerts nobody   %6.2f  (%s)\n", c.perNoMatchPost(), breakdown(c.noMatch, c.noMatchPosts))
	for _, r := range []struct {
		name string
		run  alertRun
	}{{"per alert, steady state", c.again}, {"per alert, first to each user", c.first}} {
		fmt.Printf("  %-29s %6.2f  (%d posts naming 1-3 users, %d alerts; all calls of those posts per alert: %s)\n",
			r.name, c.perAlert(r.run), r.run.posts, r.run.alerts, breakdown(r.run.calls, r.run.alerts))
	}
}

// countCallsPerPost sends callsPhasePosts posts that match nobody, then callsPhasePosts posts that
// each name 1-3 users' words, then the same posts again as new posts, one at a time, and counts
// the API calls of each run by method.
func countCallsPerPost(b *testing.B, api *fakeapi.API, rng *rand.Rand, channelID, authorID string, send func(*model.Post), botID string, members []*model.User) callCounts {
	b.Helper()
	byMethod := func(from int) map[string]int {
		m := map[string]int{}
		for _, c := range api.Calls("")[from:] {
			m[c.Method]++
		}
		return m
	}
	c := callCounts{}
	from := len(api.Calls(""))
	for i := 0; i < callsPhasePosts; i++ {
		p := makePost(rng, 10*i+1, channelID, authorID) // i%10 != 0: names nobody
		send(p.post)
		c.noMatchPosts++
	}
	c.noMatch = byMethod(from)
	posts := make([]benchPost, callsPhasePosts)
	for i := range posts {
		posts[i] = makePost(rng, 10*i, channelID, authorID) // i%10 == 0: names 1-3 users
	}
	run := func() alertRun {
		dmsBefore := alertDMs(api, botID, members)
		from := len(api.Calls(""))
		want := 0
		for _, p := range posts {
			again := p.post.Clone()
			again.Id = model.NewId()
			send(again)
			want += p.recipients
		}
		r := alertRun{posts: len(posts), calls: byMethod(from), alerts: alertDMs(api, botID, members) - dmsBefore}
		if r.alerts != want {
			b.Fatalf("call count run: %d alert DMs, want %d", r.alerts, want)
		}
		return r
	}
	c.first = run()
	c.again = run()
	return c
}
