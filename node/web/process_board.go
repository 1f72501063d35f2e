package web

import (
	"net/url"

	cp "github.com/interlink-project/interlink-node/protocol/coproduction"
)

// The workspace's board: the tasks in three columns by status (not
// started, in progress, finished), each card labelled with its phase and
// objective and giving its responsible, progress and dates. A column is a
// section with its heading and a list of cards, so that a screen reader
// hears the status in words, as everyone reads it.

type boardCard struct {
	Name, Href, Phase, Objective  string
	Responsible, Progress, Status string
	Start, End                    string
}

type boardColumn struct {
	ID, Title, Count string
	Cards            []boardCard
}

// boardColumns lays out the tasks of v by status, in tree order.
func boardColumns(loc *locale, v ProcessView) []boardColumn {
	cols := make([]boardColumn, len(cp.Statuses))
	at := map[cp.Status]int{}
	for i, st := range cp.Statuses {
		cols[i] = boardColumn{ID: "col-" + string(st), Title: statusLabel(loc, st)}
		at[st] = i
	}
	p := v.Process
	if p == nil {
		return cols
	}
	for _, ph := range p.Phases {
		for _, o := range ph.Objectives {
			for _, t := range o.Tasks {
				c := boardCard{Name: t.Name, Href: "/processes/" + url.PathEscape(v.ID) + "/tasks/" + url.PathEscape(t.Key),
					Phase: ph.Name, Objective: o.Name, Progress: loc.Num(t.Progress), Status: statusLabel(loc, t.Status), Start: t.Start, End: t.End}
				if t.Responsible != "" {
					c.Responsible = participantName(p, t.Responsible)
				}
				i, ok := at[t.Status]
				if !ok {
					i = 0
				}
				cols[i].Cards = append(cols[i].Cards, c)
			}
		}
	}
	for i := range cols {
		cols[i].Count = loc.Num(len(cols[i].Cards))
	}
	return cols
}

// serviceText says in words where the public service of a finished
// process stands.
func serviceText(loc *locale, s ServiceStatus) string {
	switch s.State {
	case "published":
		return loc.T("process.service.published")
	case "draft":
		if s.Status == "pending" {
			return loc.Td("process.service.draft", map[string]any{"Signed": loc.Num(s.Signed), "Signers": loc.Num(s.Signers)})
		}
		return loc.T("process.service.draft_" + draftStatus(s.Status))
	case "request":
		return loc.T("process.service.request_" + requestStatus(s.Status))
	}
	return loc.T("process.service.none")
}

func draftStatus(s string) string {
	switch s {
	case "published", "rejected":
		return s
	}
	return "failed"
}

func requestStatus(s string) string {
	switch s {
	case "approved", "rejected":
		return s
	}
	return "pending"
}
