// Package env reads Gatehouse's configuration from environment variables once, at start,
// and reports every missing or malformed variable together.
package env

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// Getenv looks a variable up, like os.Getenv; tests pass a map's lookup instead.
type Getenv func(string) string

// Store is how a function reaches its DynamoDB table.
type Store struct {
	Table    string // TABLE_NAME
	Endpoint string // DYNAMODB_ENDPOINT: another DynamoDB (local, moto_server); empty for AWS
}

// Common is what every Gatehouse process reads.
type Common struct {
	Store
	LogLevel slog.Level // LOG_LEVEL: debug, info (default), warn, error
}

// problems collects configuration errors so they are reported at once.
type problems []string

func (p *problems) addf(format string, args ...any) { *p = append(*p, fmt.Sprintf(format, args...)) }

func (p problems) err() error {
	if len(p) == 0 {
		return nil
	}
	return errors.New("configuration: " + strings.Join(p, "; "))
}

// LoadCommon reads the variables every process needs.
func LoadCommon(getenv Getenv) (Common, error) {
	var p problems
	c := Common{Store: Store{Table: getenv("TABLE_NAME"), Endpoint: getenv("DYNAMODB_ENDPOINT")}}
	if c.Table == "" {
		p.addf("TABLE_NAME is required (the DynamoDB table)")
	}
	if e := c.Endpoint; e != "" && !strings.HasPrefix(e, "http://") && !strings.HasPrefix(e, "https://") {
		p.addf("DYNAMODB_ENDPOINT must be an http:// or https:// URL, got %q", e)
	}
	if lvl := getenv("LOG_LEVEL"); lvl != "" {
		if err := c.LogLevel.UnmarshalText([]byte(lvl)); err != nil {
			p.addf("LOG_LEVEL must be debug, info, warn or error, got %q", lvl)
		}
	}
	return c, p.err()
}

// Logger is the JSON logger at the configured level.
func (c Common) Logger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: c.LogLevel}))
}
