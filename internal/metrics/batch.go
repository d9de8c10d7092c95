package metrics

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
)

type batchKey struct{}

// batch gathers the metrics of one invocation or request: counts are summed, durations
// kept value by value (CloudWatch computes percentiles from them).
type batch struct {
	sink    *Sink
	mu      sync.Mutex
	flushed bool
	groups  map[string]*group // by dimensions
	order   []string          // groups in the order first recorded
}

// group is the metrics of one combination of dimension values: one EMF document (or more,
// when values overflow a document).
type group struct {
	dims   [][2]string // sorted by name
	series map[string]*series
	names  []string // in the order first recorded
}

type series struct {
	unit   Unit
	sum    bool
	values []float64
}

func newBatch(s *Sink) *batch { return &batch{sink: s, groups: map[string]*group{}} }

// add records a value; false once the batch has been flushed.
func (b *batch) add(ctx context.Context, name string, unit Unit, v float64, sum bool, dims []string) bool {
	pairs := make([][2]string, 0, len(dims)/2)
	for i := 0; i < len(dims); i += 2 {
		pairs = append(pairs, [2]string{dims[i], dims[i+1]})
	}
	slices.SortFunc(pairs, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
	var key strings.Builder
	for _, p := range pairs {
		key.WriteString(p[0] + "\x00" + p[1] + "\x00")
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.flushed {
		return false
	}
	g, ok := b.groups[key.String()]
	if !ok {
		g = &group{dims: pairs, series: map[string]*series{}}
		b.groups[key.String()] = g
		b.order = append(b.order, key.String())
	}
	m, ok := g.series[name]
	switch {
	case !ok:
		g.series[name] = &series{unit: unit, sum: sum, values: []float64{v}}
		g.names = append(g.names, name)
	case m.unit != unit || m.sum != sum:
		// The same name recorded both as a count and as a duration: a programming error,
		// kept apart so neither spoils the other's document.
		b.sink.cfg.Logger.WarnContext(ctx, "metric dropped", "metric", name, "err", "recorded with two units")
	case sum:
		m.values[0] += v
	default:
		m.values = append(m.values, v)
	}
	return true
}

// flush writes the batch's documents; it does nothing the second time.
func (b *batch) flush(ctx context.Context) {
	b.mu.Lock()
	if b.flushed {
		b.mu.Unlock()
		return
	}
	b.flushed = true
	b.mu.Unlock()
	at := b.sink.cfg.Now().UnixMilli()
	for _, k := range b.order {
		for _, doc := range b.groups[k].documents(b.sink.cfg, at) {
			line, err := json.Marshal(doc)
			if err != nil {
				b.sink.cfg.Logger.WarnContext(ctx, "metrics not written", "err", err)
				continue
			}
			b.sink.write(ctx, append(line, '\n'))
		}
	}
}

// The EMF document structure.
type (
	metadata struct {
		Timestamp         int64       `json:"Timestamp"`
		CloudWatchMetrics []directive `json:"CloudWatchMetrics"`
	}
	directive struct {
		Namespace  string       `json:"Namespace"`
		Dimensions [][]string   `json:"Dimensions"`
		Metrics    []definition `json:"Metrics"`
	}
	definition struct {
		Name string `json:"Name"`
		Unit Unit   `json:"Unit"`
	}
)

// documents are g's EMF documents: its dimension values and metric values as top-level
// members, declared in _aws. Each metric is published by its dimensions and, when it has
// any besides Function, by Function alone too (summed over the others). A document holds at
// most 100 metrics and 100 values of each; more spill into further documents.
func (g *group) documents(c Config, at int64) []map[string]any {
	full := []string{FunctionDimension}
	for _, p := range g.dims {
		full = append(full, p[0])
	}
	sets := [][]string{full}
	if len(full) > 1 {
		sets = append(sets, []string{FunctionDimension})
	}
	var docs []map[string]any
	for start := 0; ; start += maxValues {
		var names []string
		for _, n := range g.names {
			if len(g.series[n].values) > start {
				names = append(names, n)
			}
		}
		if len(names) == 0 {
			return docs
		}
		for len(names) > 0 {
			chunk := names[:min(len(names), maxMetrics)]
			names = names[len(chunk):]
			doc := map[string]any{FunctionDimension: c.Function}
			for _, p := range g.dims {
				doc[p[0]] = p[1]
			}
			d := directive{Namespace: c.Namespace, Dimensions: sets}
			for _, n := range chunk {
				s := g.series[n]
				d.Metrics = append(d.Metrics, definition{Name: n, Unit: s.unit})
				vs := s.values[start:min(len(s.values), start+maxValues)]
				if len(vs) == 1 {
					doc[n] = vs[0]
				} else {
					doc[n] = vs
				}
			}
			doc["_aws"] = metadata{Timestamp: at, CloudWatchMetrics: []directive{d}}
			docs = append(docs, doc)
		}
	}
}
