package coproduction

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/interlink-project/interlink-node/protocol"
	cp "github.com/interlink-project/interlink-node/protocol/coproduction"
)

// StoryKey is the natural key of the story a process drafts on its host.
func StoryKey(processIRI string) string { return "story-" + strings.ToLower(ProcessID(processIRI)) }

// storyOf is the catalogue story a finished process drafts: the story of
// its finish change in the process's first language, the process's
// objectives (the story's, else its aim, else the names of the tree's
// objectives), every active participant (the co-signers, as for the
// service) with its role and what each of its people did, counted from the
// signed history, the interlinkers used, and service: the IRI of the
// public service drafted with it (or its identifier). Host and
// participants compute it from the same history, so a participant co-signs
// only the story its own copy of the process tells.
func storyOf(p *cp.Process, history []TimelineItem, service string) *protocol.Story {
	langs := p.Languages
	if len(langs) == 0 {
		langs = []string{"en"}
	}
	lang := langs[0]
	st := p.Story
	text := func(s string) protocol.Text {
		if strings.TrimSpace(s) == "" {
			return nil
		}
		return protocol.Text{lang: s}
	}
	objectives := st.Objectives
	if objectives == "" {
		objectives = p.Aim
	}
	if objectives == "" {
		var names []string
		for _, ph := range p.Phases {
			for _, o := range ph.Objectives {
				names = append(names, o.Name)
			}
		}
		objectives = strings.Join(names, "\n")
	}
	out := &protocol.Story{Type: protocol.KindStory, Key: StoryKey(p.IRI),
		Title: protocol.Text{lang: st.Title}, Summary: protocol.Text{lang: st.Summary},
		Objectives: text(objectives), Results: text(st.Results), Lessons: text(st.Lessons),
		Materials: links(st.Materials), Process: p.IRI, Service: service,
		Governance: string(p.Governance), Languages: langs, Interlinkers: links(st.Interlinkers)}
	for _, e := range p.Active() {
		x := p.Participant(e)
		out.Participants = append(out.Participants, protocol.StoryParticipant{Organisation: e, Name: x.Name, Role: string(x.Role),
			Contributions: contributions(e, history)})
	}
	return out
}

// contributions counts what the people of one organisation did in the
// history: the changes of each person, of each kind, in order of each
// person's first change.
func contributions(entity string, history []TimelineItem) []protocol.StoryContribution {
	var out []protocol.StoryContribution
	for _, it := range history {
		if it.Author != entity {
			continue
		}
		i := 0
		for i < len(out) && out[i].Person != it.Person {
			i++
		}
		if i == len(out) {
			out = append(out, protocol.StoryContribution{Person: it.Person, Kinds: map[string]int{}})
		}
		out[i].Changes++
		out[i].Kinds[string(it.Op)]++
	}
	return out
}

// links keeps the distinct http(s) URLs of ls (the story's fold checks
// them; a history finished before that rule keeps its valid links).
func links(ls []string) []string {
	var out []string
	for _, l := range ls {
		if protocol.ValidHTTPURL(l) && !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}

// timeline reads the whole history of a process as timeline items.
func (s *Service) timeline(ctx context.Context, iri string, held uint64) ([]TimelineItem, error) {
	var out []TimelineItem
	for after := uint64(0); after < held; {
		page, _, err := s.d.Store.History(ctx, iri, after, HistoryLimit)
		if err != nil {
			return nil, err
		}
		if len(page) == 0 {
			break
		}
		for _, raw := range page {
			it, err := timelineItem(raw)
			if err != nil {
				return nil, err
			}
			out = append(out, it)
		}
		after += uint64(len(page))
	}
	return out, nil
}

// storyProcess is the process a drafted story names ("" when the body is
// not a story).
func storyProcess(body json.RawMessage) string {
	var head struct {
		Type    protocol.Kind `json:"type"`
		Process string        `json:"process"`
	}
	if json.Unmarshal(body, &head) != nil || head.Type != protocol.KindStory {
		return ""
	}
	return head.Process
}

// sameStory reports whether a drafted body is the story want, whose
// service may be named by the drafted story with the service's IRI on the
// host's node (the host knows it once it drafted the service) or by its
// identifier.
func sameStory(body json.RawMessage, want *protocol.Story, host string) bool {
	e, err := protocol.DecodeEntity(body)
	if err != nil {
		return false
	}
	got, ok := e.(*protocol.Story)
	if !ok {
		return false
	}
	if got.Service != want.Service {
		if !protocol.ValidHTTPURL(got.Service) || originOf(got.Service) != originOf(host) {
			return false
		}
		w := *want
		w.Service = got.Service
		want = &w
	}
	a, err1 := protocol.EncodeEntity(got)
	b, err2 := protocol.EncodeEntity(want)
	return err1 == nil && err2 == nil && string(a) == string(b)
}
