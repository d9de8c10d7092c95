// Package dynamotest gives each test a fresh table: on the embedded DynamoDB by default, or
// on the DynamoDB at DYNAMODB_ENDPOINT (moto_server, AWS) when it is set.
package dynamotest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/oklog/ulid/v2"

	"gatehouse/internal/awsconfig"
	"gatehouse/internal/dynamo"
	"gatehouse/internal/env"
	"gatehouse/internal/localdb"
)

// Counter counts the DynamoDB requests a client sends, by operation.
type Counter struct {
	next interface {
		Do(*http.Request) (*http.Response, error)
	}
	total  atomic.Int64
	mu     sync.Mutex
	ops    map[string]int
	faults atomic.Pointer[Schedule]
	delay  atomic.Int64 // nanoseconds added to every request
	// matching limits the fault schedule to requests whose body holds this text.
	matching atomic.Pointer[string]
}

// Do counts the request and sends it on, or fails it as the fault schedule says.
func (c *Counter) Do(r *http.Request) (*http.Response, error) {
	op := r.Header.Get("X-Amz-Target")
	if i := strings.LastIndexByte(op, '.'); i >= 0 {
		op = op[i+1:]
	}
	c.total.Add(1)
	c.mu.Lock()
	c.ops[op]++
	c.mu.Unlock()
	if d := c.delay.Load(); d > 0 {
		time.Sleep(time.Duration(d))
	}
	if sched := c.faults.Load(); sched != nil {
		if m := c.matching.Load(); m != nil && r.Body != nil {
			body, err := io.ReadAll(r.Body)
			if err != nil {
				return nil, err
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			if !bytes.Contains(body, []byte(*m)) {
				return c.next.Do(r)
			}
		}
		return inject((*sched)(op), r, c.next.Do)
	}
	return c.next.Do(r)
}

// Total is the number of requests sent so far.
func (c *Counter) Total() int64 { return c.total.Load() }

// Writes is how many write requests were made: PutItem, UpdateItem, DeleteItem,
// BatchWriteItem and TransactWriteItems.
func (c *Counter) Writes() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, op := range []string{"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"} {
		n += c.ops[op]
	}
	return n
}

// Reset starts counting again from zero.
func (c *Counter) Reset() {
	c.total.Store(0)
	c.mu.Lock()
	c.ops = map[string]int{}
	c.mu.Unlock()
}

// String lists the counts by operation, for failure messages.
func (c *Counter) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	parts := make([]string, 0, len(c.ops))
	for op, n := range c.ops {
		parts = append(parts, fmt.Sprintf("%s=%d", op, n))
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

// Env is a test's table and the client that reaches it.
type Env struct {
	Store    *dynamo.Store
	Client   *dynamodb.Client
	Requests *Counter
	Endpoint string
	// IsolatedTransactions is false for implementations whose transactions may interleave
	// under concurrent requests (moto_server restores unlocked table snapshots on failure);
	// set DYNAMODB_TRANSACTIONS_ISOLATED=false for those.
	IsolatedTransactions bool
}

// awsConfigs are the SDK configurations loaded so far, by what the environment asked for.
var awsConfigs = struct {
	sync.Mutex
	loaded map[env.AWS]aws.Config
}{loaded: map[env.AWS]aws.Config{}}

// loadAWS is awsconfig.Load for a, loaded once per test process rather than for every table
// a test makes: loading reads the environment and any CA bundle it names, and parsing a
// system bundle (AWS_CA_BUNDLE) takes 25 ms under the race detector. Each call gets an HTTP
// client of its own, so that no test reuses connections made to another test's server.
func loadAWS(ctx context.Context, a env.AWS) (aws.Config, error) {
	awsConfigs.Lock()
	defer awsConfigs.Unlock()
	cfg, ok := awsConfigs.loaded[a]
	if !ok {
		var err error
		if cfg, err = awsconfig.Load(ctx, a); err != nil {
			return aws.Config{}, err
		}
		awsConfigs.loaded[a] = cfg
	}
	cfg = cfg.Copy()
	if c, ok := cfg.HTTPClient.(*awshttp.BuildableClient); ok {
		cfg.HTTPClient = c.WithTransportOptions()
	}
	return cfg, nil
}

// New creates a fresh table for the test and returns a store over it. Without
// DYNAMODB_ENDPOINT the test gets its own embedded DynamoDB, closed when it ends.
func New(tb testing.TB) Env {
	tb.Helper()
	ctx := context.Background()
	endpoint := os.Getenv("DYNAMODB_ENDPOINT")
	if endpoint == "" {
		srv, err := localdb.Start("127.0.0.1:0")
		if err != nil {
			tb.Fatalf("start embedded DynamoDB: %v", err)
		}
		tb.Cleanup(func() { _ = srv.Close() })
		endpoint = srv.URL
	}
	counter := &Counter{ops: map[string]int{}}
	cfg, err := env.LoadCommon(func(k string) string {
		switch k {
		case "TABLE_NAME":
			return "unused"
		case "DYNAMODB_ENDPOINT":
			return endpoint
		}
		return os.Getenv(k)
	})
	if err != nil {
		tb.Fatal(err)
	}
	awsCfg, err := loadAWS(ctx, cfg.AWS)
	if err != nil {
		tb.Fatal(err)
	}
	client := dynamo.NewClient(awsCfg, endpoint, func(o *dynamodb.Options) {
		counter.next, o.HTTPClient = o.HTTPClient, counter
		// The SDK's own retries as in production, but with short waits, so that faults
		// injected by the hundred do not make the tests slow.
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
			so.MaxBackoff = 20 * time.Millisecond
			so.RateLimiter = ratelimit.None
		})
	})
	table := "gatehouse-test-" + strings.ToLower(ulid.Make().String())
	if err := dynamo.EnsureTable(ctx, client, table); err != nil {
		tb.Fatalf("create table: %v", err)
	}
	tb.Cleanup(func() {
		_, _ = client.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: &table})
	})
	counter.Reset()
	store := dynamo.New(client, table)
	store.SetBackoff(time.Millisecond)
	return Env{
		Store: store, Client: client, Requests: counter, Endpoint: endpoint,
		IsolatedTransactions: os.Getenv("DYNAMODB_TRANSACTIONS_ISOLATED") != "false",
	}
}
