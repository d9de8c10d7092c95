// Package logs makes the JSON logger every Gatehouse process writes with: log/slog at the
// configured level, each line inside a Lambda invocation carrying its awsRequestId.
package logs

import (
	"context"
	"io"
	"log/slog"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

// New is the JSON logger writing to w at level. Inside a Lambda invocation each line also
// carries the invocation's awsRequestId, so a function's logs join up with its invocations.
func New(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(invocationHandler{slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level})})
}

// invocationHandler adds the Lambda request id of the context, when there is one.
type invocationHandler struct{ slog.Handler }

func (h invocationHandler) Handle(ctx context.Context, r slog.Record) error {
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		r.AddAttrs(slog.String("awsRequestId", lc.AwsRequestID))
	}
	return h.Handler.Handle(ctx, r)
}

func (h invocationHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return invocationHandler{h.Handler.WithAttrs(attrs)}
}

func (h invocationHandler) WithGroup(name string) slog.Handler {
	return invocationHandler{h.Handler.WithGroup(name)}
}
