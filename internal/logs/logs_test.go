package logs

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

func TestLoggerNamesTheInvocation(t *testing.T) {
	var buf bytes.Buffer
	log := New(&buf, slog.LevelInfo)
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "c6af9ac6-7b61-11e6-9a41-93e812345678"})
	log.With("fn", "mailer").InfoContext(ctx, "outbox swept")
	log.InfoContext(context.Background(), "outside an invocation")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"awsRequestId":"c6af9ac6-7b61-11e6-9a41-93e812345678"`) || !strings.Contains(lines[0], `"fn":"mailer"`) || strings.Contains(lines[1], "awsRequestId") {
		t.Errorf("log lines:\n%s", buf.String())
	}
}
