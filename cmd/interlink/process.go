package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/interlink-project/interlink-node/node/api"
)

func newProcessCmd(g *globalFlags) *cobra.Command {
	return newGroupCmd("process", "Co-produce a service with other organisations: federated co-production processes",
		newProcessCreateCmd(g), newProcessListCmd(g), newProcessShowCmd(g), newProcessHistoryCmd(g), newProcessInviteCmd(g),
		newProcessAnswerCmd(g, true), newProcessAnswerCmd(g, false), newProcessRequestCmd(g), newProcessTaskCmd(g),
		newProcessAssetCmd(g), newProcessFinishCmd(g), newProcessExportCmd(g), newProcessImportCmd(g))
}

func processPath(id string, rest ...string) string {
	p := "/processes/" + url.PathEscape(id)
	for _, r := range rest {
		p += "/" + url.PathEscape(r)
	}
	return p
}

// printResult says what a change came to.
func printResult(w io.Writer, r api.ChangeResult) {
	if r.Queued {
		fmt.Fprintf(w, "queued: %s (the host did not answer; it is sent when the host returns)\n", r.Change)
		return
	}
	fmt.Fprintf(w, "ordered as change %d of %s\n", r.Seq, r.Process)
}

func newProcessCreateCmd(g *globalFlags) *cobra.Command {
	var in api.ProcessCreate
	cmd := &cobra.Command{
		Use:   "create --name NAME --governance MODEL [--schema KEY|IRI] [--aim TEXT] ...",
		Short: "Start a co-production process hosted by this node, from a schema of the catalogue (editor)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var r api.ChangeResult
			if err := postJSON(cmd, g, "create process", "/processes", in, &r); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "created %s\n", r.Process)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&in.Name, "name", "", "the process's name")
	f.StringVar(&in.Governance, "governance", "government-plus-citizen", "citizen-to-citizen, citizen-to-government, government-to-citizen or government-plus-citizen")
	f.StringVar(&in.Schema, "schema", "", "the co-production schema it starts from (key or IRI)")
	f.StringVar(&in.Aim, "aim", "", "what it aims at")
	f.StringVar(&in.Idea, "idea", "", "the idea")
	f.StringVar(&in.Challenges, "challenges", "", "the challenges")
	f.StringVar(&in.Description, "description", "", "a description")
	f.StringSliceVar(&in.Languages, "language", nil, "a language of the process (BCP 47; repeat)")
	f.StringSliceVar(&in.ProblemProfiles, "problem-profile", nil, "a problem profile it addresses (repeat)")
	f.BoolVar(&in.Public, "public", false, "other organisations may ask to join")
	_ = cmd.MarkFlagRequired("name")
	return cmd
}

func newProcessListCmd(g *globalFlags) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list [--json]",
		Short: "List the processes this node hosts, takes part in or is invited to (process list)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			l, done, err := getJSON[api.ProcessList](cmd, g, "list processes", "/processes", nil, asJSON)
			if done || err != nil {
				return err
			}
			return writeTable(cmd.OutOrStdout(), l.Items, func(p api.ProcessItem) []string {
				return []string{p.ID, truncate(p.Name, 40), p.Local, dash(p.Status), strconv.FormatUint(p.Changes, 10),
					strconv.Itoa(p.Participants), strconv.Itoa(p.Tasks), p.Host}
			}, "ID", "NAME", "LOCAL", "STATUS", "CHANGES", "PARTICIPANTS", "TASKS", "HOST")
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the node's JSON answer")
	return cmd
}

// shownState is what show reads of the state.
type shownState struct {
	Aim          string `json:"aim"`
	Governance   string `json:"governance"`
	Participants []struct {
		Entity, Name, Role, Membership string
	} `json:"participants"`
	Phases []struct {
		Key, Name, Status string
		Progress          int
		Objectives        []struct {
			Key, Name, Status string
			Progress          int
			Tasks             []struct {
				Key, Name, Status, Responsible string
				Progress, Rev                  int
				Assets                         []struct{ ID, Name string }
			}
		}
	} `json:"phases"`
}

func newProcessShowCmd(g *globalFlags) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show ID [--json]",
		Short: "Show a process: participants and the tree of phases, objectives and tasks",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, done, err := getJSON[api.Process](cmd, g, "show process", processPath(args[0]), nil, asJSON)
			if done || err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "%s  %s\n%s, %d changes, hosted by %s (this node: %s)\n", p.Name, p.IRI, dash(p.Status), p.Changes, p.Host, p.Local)
			var st shownState
			if len(p.State) > 0 {
				if err := json.Unmarshal(p.State, &st); err != nil {
					return fmt.Errorf("show process: %w", err)
				}
			}
			fmt.Fprintf(w, "governance: %s\naim: %s\n", st.Governance, dash(st.Aim))
			if p.Story != "" {
				fmt.Fprintf(w, "story: %s\n", p.Story)
			}
			fmt.Fprintln(w, "\nPARTICIPANTS")
			for _, x := range st.Participants {
				fmt.Fprintf(w, "  %-12s %-10s %s %s\n", x.Role, x.Membership, x.Entity, x.Name)
			}
			fmt.Fprintln(w, "\nTREE")
			for _, ph := range st.Phases {
				fmt.Fprintf(w, "  %s  %s [%s %d%%]\n", ph.Key, ph.Name, ph.Status, ph.Progress)
				for _, o := range ph.Objectives {
					fmt.Fprintf(w, "    %s  %s [%s %d%%]\n", o.Key, o.Name, o.Status, o.Progress)
					for _, t := range o.Tasks {
						fmt.Fprintf(w, "      %s  %s [%s %d%%, rev %d, %d assets] %s\n", t.Key, truncate(t.Name, 50), t.Status, t.Progress, t.Rev, len(t.Assets), t.Responsible)
					}
				}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the node's JSON answer")
	return cmd
}

func newProcessHistoryCmd(g *globalFlags) *cobra.Command {
	var asJSON bool
	var after uint64
	cmd := &cobra.Command{
		Use:   "history ID [--after N] [--json]",
		Short: "The timeline of a process's signed changes: who signed each",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			tl, done, err := getJSON[api.Timeline](cmd, g, "process history", processPath(args[0], "history"),
				onlyIf("after", strconv.FormatUint(after, 10)), asJSON)
			if done || err != nil {
				return err
			}
			return writeTable(cmd.OutOrStdout(), tl.Items, func(t api.TimelineItem) []string {
				return []string{strconv.FormatUint(t.Seq, 10), t.At.Format("2006-01-02 15:04:05"), t.Op, dash(t.Item), t.Author, dash(t.Person)}
			}, "SEQ", "AT", "OP", "ITEM", "SIGNED BY", "PERSON")
		},
	}
	cmd.Flags().Uint64Var(&after, "after", 0, "only changes after this sequence number")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the node's JSON answer")
	return cmd
}

func newProcessInviteCmd(g *globalFlags) *cobra.Command {
	var role string
	cmd := &cobra.Command{
		Use:   "invite ID ACTOR-URL|acct:name@host [--role co-producer|observer]",
		Short: "Invite an organisation to a process this node hosts (admin)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			var r api.ChangeResult
			if err := postJSON(cmd, g, "invite", processPath(args[0], "invitations"), api.ProcessInvite{Target: args[1], Role: role}, &r); err != nil {
				return err
			}
			printResult(cmd.OutOrStdout(), r)
			return nil
		},
	}
	cmd.Flags().StringVar(&role, "role", "co-producer", "co-producer or observer")
	return cmd
}

func newProcessAnswerCmd(g *globalFlags, accept bool) *cobra.Command {
	use, short, path := "join ID", "Accept an invitation to a process: this node takes part (admin)", "accept"
	if !accept {
		use, short, path = "decline ID", "Decline an invitation to a process (admin)", "decline"
	}
	return &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var r api.ChangeResult
			if err := postJSON(cmd, g, path, processPath(args[0], path), nil, &r); err != nil {
				return err
			}
			printResult(cmd.OutOrStdout(), r)
			return nil
		},
	}
}

func newProcessRequestCmd(g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "request PROCESS-IRI",
		Short: "Ask to join a public process hosted by another node (admin)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var r api.ChangeResult
			if err := postJSON(cmd, g, "request to join", "/processes/join", api.ProcessJoin{Process: args[0]}, &r); err != nil {
				return err
			}
			printResult(cmd.OutOrStdout(), r)
			return nil
		},
	}
}

// change sends one change and prints what it came to.
func change(cmd *cobra.Command, g *globalFlags, id string, c api.ProcessChange) error {
	var r api.ChangeResult
	if err := postJSON(cmd, g, c.Op, processPath(id, "changes"), c, &r); err != nil {
		return err
	}
	printResult(cmd.OutOrStdout(), r)
	return nil
}

func newProcessTaskCmd(g *globalFlags) *cobra.Command {
	var objective, key, name, desc, status, responsible, start, end string
	var progress int
	var base uint64
	var interlinkers []string
	add := &cobra.Command{
		Use:   "add ID --objective KEY --key KEY --name NAME",
		Short: "Add a task to an objective (editor)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			t := map[string]any{"key": key, "name": name, "description": desc, "responsible": responsible, "start": start, "end": end}
			if len(interlinkers) > 0 {
				t["interlinkers"] = interlinkers
			}
			data, _ := json.Marshal(t)
			return change(cmd, g, args[0], api.ProcessChange{Op: "add-task", Item: objective, Data: data})
		},
	}
	add.Flags().StringVar(&objective, "objective", "", "the objective it belongs to")
	add.Flags().StringVar(&key, "key", "", "its key (unique in the process)")
	add.Flags().StringVar(&name, "name", "", "its name")
	add.Flags().StringVar(&desc, "description", "", "a description")
	update := &cobra.Command{
		Use:   "update ID TASK [--status S] [--progress N] [--responsible ENTITY] [--base REV]",
		Short: "Update a task; with --base, refused (stale-change) if it changed since that revision (editor)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			patch := map[string]any{}
			fl := cmd.Flags()
			for flag, v := range map[string]any{"name": name, "description": desc, "status": status, "progress": progress,
				"responsible": responsible, "start": start, "end": end, "interlinker": interlinkers} {
				if fl.Changed(flag) {
					if flag == "interlinker" {
						flag = "interlinkers"
					}
					patch[flag] = v
				}
			}
			data, _ := json.Marshal(patch)
			return change(cmd, g, args[0], api.ProcessChange{Op: "update-task", Item: args[1], Base: base, Data: data})
		},
	}
	update.Flags().StringVar(&name, "name", "", "a new name")
	update.Flags().StringVar(&desc, "description", "", "a new description")
	update.Flags().StringVar(&status, "status", "", "awaiting, in_progress or finished")
	update.Flags().IntVar(&progress, "progress", 0, "0-100")
	update.Flags().Uint64Var(&base, "base", 0, "the revision you edited (the task's rev in show)")
	for _, c := range []*cobra.Command{add, update} {
		c.Flags().StringVar(&responsible, "responsible", "", "the participant responsible (its entity id)")
		c.Flags().StringVar(&start, "start", "", "start date (YYYY-MM-DD)")
		c.Flags().StringVar(&end, "end", "", "end date (YYYY-MM-DD)")
		c.Flags().StringSliceVar(&interlinkers, "interlinker", nil, "an interlinker used (its IRI; repeat)")
	}
	recommend := &cobra.Command{
		Use:   "recommend ID TASK",
		Short: "The interlinkers recommended for a task's problem profiles",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			_, _, err := getJSON[json.RawMessage](cmd, g, "recommend", processPath(args[0], "tasks", args[1], "recommendations"), nil, true)
			return err
		},
	}
	return newGroupCmd("task", "Work on a process's tasks", add, update, recommend)
}

func newProcessAssetCmd(g *globalFlags) *cobra.Command {
	var id, name, link, file, interlinker string
	add := &cobra.Command{
		Use:   "add PROCESS TASK --id ID --name NAME (--link URL | --file PATH) [--interlinker IRI]",
		Short: "Add an asset to a task: a link, or a small file kept with its SHA-256 (editor)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			a := map[string]any{"id": id, "name": name}
			if link != "" {
				a["link"] = link
			}
			if interlinker != "" {
				a["interlinker"] = interlinker
			}
			if file != "" {
				b, err := os.ReadFile(file)
				if err != nil {
					return fmt.Errorf("asset add: %w", err)
				}
				a["content"] = b
				a["media_type"] = http.DetectContentType(b)
			}
			var r api.ChangeResult
			if err := postJSON(cmd, g, "add asset", processPath(args[0], "tasks", args[1], "assets"), a, &r); err != nil {
				return err
			}
			printResult(cmd.OutOrStdout(), r)
			return nil
		},
	}
	add.Flags().StringVar(&id, "id", "", "the asset's id (unique in the task)")
	add.Flags().StringVar(&name, "name", "", "its name")
	add.Flags().StringVar(&link, "link", "", "where it is")
	add.Flags().StringVar(&file, "file", "", "a small file to keep (up to the host's limit)")
	add.Flags().StringVar(&interlinker, "interlinker", "", "the interlinker it was made with")
	remove := &cobra.Command{
		Use:   "remove PROCESS TASK ASSET",
		Short: "Remove an asset from a task (editor)",
		Args:  cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withClient(cmd, g, "remove asset", func(ctx context.Context, c *client) error {
				var r api.ChangeResult
				if err := c.callJSON(ctx, http.MethodDelete, processPath(args[0], "tasks", args[1], "assets", args[2]), nil, &r); err != nil {
					return err
				}
				printResult(cmd.OutOrStdout(), r)
				return nil
			})
		},
	}
	return newGroupCmd("asset", "Add or remove the assets of a task", add, remove)
}

func newProcessFinishCmd(g *globalFlags) *cobra.Command {
	var title, summary, objectives, results, lessons string
	var materials []string
	cmd := &cobra.Command{
		Use:   "finish ID --title TEXT --summary TEXT [--objectives TEXT] [--results TEXT] [--lessons TEXT] [--material URL]",
		Short: "Finish a process this node hosts, with its story: drafts the service and the story every participant co-signs (admin)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var r api.ProcessFinished
			st := map[string]any{"title": title, "summary": summary, "objectives": objectives, "results": results, "lessons": lessons, "materials": materials}
			if err := postJSON(cmd, g, "finish", processPath(args[0], "finish"), st, &r); err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			printResult(w, r.ChangeResult)
			if r.IRI != "" {
				fmt.Fprintf(w, "service %s (%s)\n", r.IRI, r.Service)
			}
			if r.Story != "" {
				fmt.Fprintf(w, "story   %s\n", r.Story)
			}
			if r.Draft != "" || r.StoryDraft != "" {
				fmt.Fprintln(w, "each participant's node co-signs them; they are published once all have signed")
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&title, "title", "", "the story's title")
	cmd.Flags().StringVar(&summary, "summary", "", "what was done")
	cmd.Flags().StringVar(&objectives, "objectives", "", "what the process set out to do (default: its aim)")
	cmd.Flags().StringVar(&results, "results", "", "the results")
	cmd.Flags().StringVar(&lessons, "lessons", "", "the lessons learned")
	cmd.Flags().StringSliceVar(&materials, "material", nil, "a link to a material (repeat)")
	return cmd
}

func newProcessExportCmd(g *globalFlags) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "export ID [-o FILE]",
		Short: "Export a process as one bundle: its signed history and the state it folds to",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withClient(cmd, g, "export process", func(ctx context.Context, c *client) error {
				var raw []byte
				if err := c.call(ctx, request{method: http.MethodGet, path: processPath(args[0], "export")}, &raw); err != nil {
					return err
				}
				if out == "" || out == "-" {
					_, err := cmd.OutOrStdout().Write(raw)
					return err
				}
				if err := os.WriteFile(out, raw, 0o644); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "wrote %s (%d bytes)\n", out, len(raw))
				return nil
			})
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "the file to write (default: standard output)")
	return cmd
}
