package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// table prints rows of cells for people, aligned in columns two spaces
// apart.
type table struct{ tw *tabwriter.Writer }

// newTable starts a table on w with the header's cells as its first row
// (none: no header).
func newTable(w io.Writer, header ...string) *table {
	t := &table{tw: tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)}
	if len(header) > 0 {
		t.row(header...)
	}
	return t
}

// row adds a row.
func (t *table) row(cells ...string) {
	fmt.Fprintln(t.tw, strings.Join(cells, "\t"))
}

// flush aligns and writes the rows.
func (t *table) flush() error { return t.tw.Flush() }

// writeTable prints the header, then a row of cells for each item.
func writeTable[T any](w io.Writer, items []T, cells func(T) []string, header ...string) error {
	t := newTable(w, header...)
	for _, it := range items {
		t.row(cells(it)...)
	}
	return t.flush()
}

// dash is a cell's text: s, or "-" when s is empty.
func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
