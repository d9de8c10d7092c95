package localdb

import (
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
)

// maxRequestSize bounds a request body: DynamoDB's largest requests (BatchWriteItem,
// TransactWriteItems) stay well under it.
const maxRequestSize = 32 << 20

// engine is the database: its tables and the idempotency tokens of recent transactions.
// One lock guards all of it. Every write, transactions included, holds it alone, so each
// operation is atomic and isolated from every other; reads share it.
type engine struct {
	mu     sync.RWMutex
	tables map[string]*table
	tokens tokenLog
	now    func() time.Time
	nextID atomic.Int64 // request ids
	exprs  exprCache    // what each expression parsed to
}

func newEngine(now func() time.Time) *engine {
	return &engine{tables: map[string]*table{}, tokens: tokenLog{byToken: map[string]tokenRecord{}}, now: now}
}

// table is the table called name. The caller holds the lock.
func (e *engine) table(name string) (*table, error) {
	if name == "" {
		return nil, validation("1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null")
	}
	t, ok := e.tables[name]
	if !ok {
		return nil, tableNotFound(name)
	}
	return t, nil
}

// ServeHTTP answers one DynamoDB JSON protocol request, naming its operation in X-Amz-Target.
func (e *engine) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var out any
	var err error
	body, readErr := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestSize))
	_, op, _ := strings.Cut(r.Header.Get("X-Amz-Target"), ".")
	switch {
	case r.Method != http.MethodPost:
		err = newError("UnknownOperationException", "requests are POSTs")
	case readErr != nil:
		err = newError("SerializationException", "read request: %v", readErr)
	default:
		out, err = e.safeDispatch(op, body)
	}
	status := http.StatusOK
	if err != nil {
		ae := &apiError{code: "InternalServerError", message: err.Error(), status: http.StatusInternalServerError}
		errors.As(err, &ae)
		out, status = ae.body(), ae.status
	}
	payload, mErr := json.Marshal(out)
	if mErr != nil {
		payload, status = []byte(`{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"encode answer"}`), http.StatusInternalServerError
	}
	h := w.Header()
	h.Set("Content-Type", "application/x-amz-json-1.0")
	h.Set("X-Amzn-Requestid", "localdb-"+strconv.FormatInt(e.nextID.Add(1), 10))
	h.Set("X-Amz-Crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE(payload)), 10))
	h.Set("Content-Length", strconv.Itoa(len(payload)))
	w.WriteHeader(status)
	_, _ = w.Write(payload)
}

// safeDispatch is dispatch, answering a request the expression interpreter fails on (it
// panics on some, such as a list index past the end) as one this implementation does not
// support, rather than dropping the connection. Nothing is stored by then: a transaction's
// writes come after every action is evaluated.
func (e *engine) safeDispatch(op string, body []byte) (out any, err error) {
	defer func() {
		if p := recover(); p != nil {
			out, err = nil, unsupported("this request of %s, which its expression interpreter failed on: %v", op, p)
		}
	}()
	return e.dispatch(op, body)
}

func (e *engine) dispatch(op string, body []byte) (any, error) {
	switch op {
	case "CreateTable":
		return call(op, body, e.CreateTable)
	case "DescribeTable":
		return call(op, body, e.DescribeTable)
	case "DeleteTable":
		return call(op, body, e.DeleteTable)
	case "ListTables":
		return call(op, body, e.ListTables)
	case "UpdateTimeToLive":
		return call(op, body, e.UpdateTimeToLive)
	case "DescribeTimeToLive":
		return call(op, body, e.DescribeTimeToLive)
	case "PutItem":
		return call(op, body, e.PutItem)
	case "GetItem":
		return call(op, body, e.GetItem)
	case "UpdateItem":
		return call(op, body, e.UpdateItem)
	case "DeleteItem":
		return call(op, body, e.DeleteItem)
	case "Query":
		return call(op, body, e.Query)
	case "Scan":
		return call(op, body, e.Scan)
	case "BatchGetItem":
		return call(op, body, e.BatchGetItem)
	case "BatchWriteItem":
		return call(op, body, e.BatchWriteItem)
	case "TransactWriteItems":
		return call(op, body, e.TransactWriteItems)
	}
	return nil, newError("UnknownOperationException", "the embedded DynamoDB does not implement %q", op)
}

// call decodes an operation's input strictly: a parameter this implementation does not
// know is refused by name rather than ignored.
func call[In any](op string, body []byte, do func(*In) (any, error)) (any, error) {
	in := new(In)
	if err := jsonv2.Unmarshal(body, in, jsonv2.RejectUnknownMembers(true)); err != nil {
		if serr, ok := errors.AsType[*jsonv2.SemanticError](err); ok && serr.Err == jsonv2.ErrUnknownName {
			field := strconv.Quote(serr.JSONPointer.LastToken())
			if at := serr.JSONPointer.Parent(); at != "" {
				field += " in " + strconv.Quote(string(at))
			}
			return nil, unsupported("the parameter %s of %s", field, op)
		}
		return nil, newError("SerializationException", "%s", fmt.Sprintf("decode %s: %v", op, err))
	}
	return do(in)
}
