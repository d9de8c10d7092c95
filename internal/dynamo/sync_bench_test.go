package dynamo_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"testing"

	"gatehouse/internal/dirsync"
	"gatehouse/internal/dynamo"
	"gatehouse/internal/dynamo/dynamotest"
	"gatehouse/internal/org"
	"gatehouse/internal/org/orgtest"
)

// memoryExport serves one export from memory, whatever the location.
type memoryExport []byte

func (m memoryExport) Open(context.Context, string) (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(m)), nil
}

// BenchmarkResyncUnchanged re-syncs an organization of 10,000 synced members (or
// GATEHOUSE_BENCH_PEOPLE) with an export that agrees with them, against the embedded DynamoDB:
// reading the export and every account, planning, and writing nothing. Its baseline reads the
// accounts alone. dirsync's BenchmarkResyncUnchanged100k measures 100,000 people without the
// store.
func BenchmarkResyncUnchanged(b *testing.B) {
	n := benchPeople()
	env := dynamotest.New(b)
	ctx := context.Background()
	svc := org.NewService(env.Store.Org())
	admin, _ := orgtest.Seed(b, svc, "big", "Big")
	var csv bytes.Buffer
	csv.WriteString("\"User Id\",\"Status\",\"Username\",\"First name\",\"Last name\",\"Primary email\"\r\n")
	members := make([]org.Member, n)
	clock := orgtest.NewClock()
	for i := range members {
		email := fmt.Sprintf("person%06d@big.example", i)
		members[i] = org.Member{ID: fmt.Sprintf("usr_%06d", i), OrgID: "big", Email: email, Name: fmt.Sprintf("Person %d", i),
			Role: org.RoleMember, Status: org.MemberActive, Source: org.SourceSync, ExternalID: fmt.Sprintf("00u%06d", i),
			JoinedAt: clock.Now(), UpdatedAt: clock.Now()}
		fmt.Fprintf(&csv, "\"00u%06d\",\"ACTIVE\",%q,\"Person\",\"%d\",%q\r\n", i, email, i, email)
	}
	if err := dynamo.SeedMembers(ctx, env.Client, env.Store.Table(), members); err != nil {
		b.Fatal(err)
	}
	sync := dirsync.New(env.Store.Sync, svc, memoryExport(csv.Bytes()), slog.New(slog.DiscardHandler))
	if _, err := sync.Configure(ctx, admin, dirsync.ConfigRequest{Sources: dirsync.SourcesOf("s3://exports/big/export.csv")}); err != nil {
		b.Fatal(err)
	}

	b.Run("baseline=read-accounts", func(b *testing.B) {
		for b.Loop() {
			ms, _, err := svc.Accounts(ctx, admin)
			if err != nil || len(ms) != n {
				b.Fatalf("%d members, %v", len(ms), err)
			}
		}
	})
	b.Run("resync", func(b *testing.B) {
		env.Requests.Reset()
		for b.Loop() {
			run, err := sync.SyncNow(ctx, admin)
			if err != nil || run.Status != dirsync.RunUnchanged {
				b.Fatalf("run %s %v %v", run.Status, run.Counts, err)
			}
		}
		b.ReportMetric(float64(env.Requests.Writes())/float64(b.N), "writes/op")
		b.ReportMetric(float64(env.Requests.Total())/float64(b.N), "requests/op")
		b.ReportMetric(float64(n), "people")
	})
}

// benchPeople is the organization's size: 10,000, or GATEHOUSE_BENCH_PEOPLE.
func benchPeople() int {
	if n, err := strconv.Atoi(os.Getenv("GATEHOUSE_BENCH_PEOPLE")); err == nil && n > 0 {
		return n
	}
	return 10_000
}
