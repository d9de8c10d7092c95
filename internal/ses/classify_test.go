package ses

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"gatehouse/internal/mailer"
)

// fakeAPI answers SendEmail with out or err and keeps the inputs it was given.
type fakeAPI struct {
	out   *sesv2.SendEmailOutput
	err   error
	calls []*sesv2.SendEmailInput
}

// SendEmail records in and answers as configured.
func (f *fakeAPI) SendEmail(_ context.Context, in *sesv2.SendEmailInput, _ ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
	f.calls = append(f.calls, in)
	return f.out, f.err
}

// newSender returns a Sender over api, failing the test if it cannot be built.
func newSender(t *testing.T, api API, cfg Config) *Sender {
	t.Helper()
	s, err := New(api, cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

// fromSES wraps err the way the SDK returns a service's error: in an operation error around
// an HTTP response error with the given status.
func fromSES(status int, err error) error {
	return &smithy.OperationError{
		ServiceID:     "SESv2",
		OperationName: "SendEmail",
		Err: &awshttp.ResponseError{
			ResponseError: &smithyhttp.ResponseError{
				Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}},
				Err:      err,
			},
			RequestID: "req-1",
		},
	}
}

func TestSendClassifiesErrors(t *testing.T) {
	const (
		transient = iota
		throttled
		rejected
		account
	)
	tests := []struct {
		name string
		err  error
		want int
	}{
		{name: "TooManyRequestsException", err: fromSES(429, &types.TooManyRequestsException{Message: aws.String("slow down")}), want: throttled},
		{name: "LimitExceededException", err: fromSES(400, &types.LimitExceededException{}), want: throttled},
		{name: "MessageRejected", err: fromSES(400, &types.MessageRejected{Message: aws.String("Email address is not verified.")}), want: rejected},
		{name: "MailFromDomainNotVerifiedException", err: fromSES(400, &types.MailFromDomainNotVerifiedException{}), want: account},
		{name: "AccountSuspendedException", err: fromSES(400, &types.AccountSuspendedException{}), want: account},
		{name: "SendingPausedException", err: fromSES(400, &types.SendingPausedException{}), want: account},
		{name: "NotFoundException", err: fromSES(404, &types.NotFoundException{}), want: account},
		{name: "BadRequestException", err: fromSES(400, &types.BadRequestException{}), want: rejected},
		{name: "InternalServiceErrorException", err: fromSES(500, &types.InternalServiceErrorException{}), want: transient},
		{name: "ConcurrentModificationException", err: fromSES(500, &types.ConcurrentModificationException{}), want: transient},
		{name: "generic TooManyRequestsException", err: fromSES(400, &smithy.GenericAPIError{Code: "TooManyRequestsException"}), want: throttled},
		{name: "generic TooManyRequestsException unwrapped", err: &smithy.GenericAPIError{Code: "TooManyRequestsException"}, want: throttled},
		{name: "generic LimitExceededException", err: fromSES(400, &smithy.GenericAPIError{Code: "LimitExceededException"}), want: throttled},
		{name: "generic Throttling", err: fromSES(400, &smithy.GenericAPIError{Code: "Throttling"}), want: throttled},
		{name: "generic ThrottlingException", err: fromSES(400, &smithy.GenericAPIError{Code: "ThrottlingException"}), want: throttled},
		{name: "unknown code with status 429", err: fromSES(429, &smithy.GenericAPIError{Code: "UnknownError"}), want: throttled},
		{name: "generic MessageRejected", err: fromSES(400, &smithy.GenericAPIError{Code: "MessageRejected"}), want: rejected},
		{name: "generic MailFromDomainNotVerifiedException", err: fromSES(400, &smithy.GenericAPIError{Code: "MailFromDomainNotVerifiedException"}), want: account},
		{name: "generic AccountSuspendedException", err: fromSES(400, &smithy.GenericAPIError{Code: "AccountSuspendedException"}), want: account},
		{name: "generic SendingPausedException", err: fromSES(400, &smithy.GenericAPIError{Code: "SendingPausedException"}), want: account},
		{name: "generic NotFoundException", err: fromSES(404, &smithy.GenericAPIError{Code: "NotFoundException"}), want: account},
		{name: "generic BadRequestException", err: fromSES(400, &smithy.GenericAPIError{Code: "BadRequestException"}), want: rejected},
		{name: "generic AccessDeniedException", err: fromSES(403, &smithy.GenericAPIError{Code: "AccessDeniedException"}), want: account},
		{name: "unknown code with status 400", err: fromSES(400, &smithy.GenericAPIError{Code: "UnknownError"}), want: transient},
		{name: "unknown code with status 503", err: fromSES(503, &smithy.GenericAPIError{Code: "ServiceUnavailable"}), want: transient},
		{name: "network error", err: &smithy.OperationError{ServiceID: "SESv2", OperationName: "SendEmail", Err: &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}}, want: transient},
		{name: "deadline", err: context.DeadlineExceeded, want: transient},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSender(t, &fakeAPI{err: tt.err}, Config{From: "invites@acme.com"})
			id, err := s.Send(t.Context(), message(nil))
			if err == nil {
				t.Fatalf("Send succeeded with id %q, want an error", id)
			}
			if !errors.Is(err, tt.err) {
				t.Errorf("Send error %v does not wrap the SES error", err)
			}
			if !strings.HasPrefix(err.Error(), "send invitation email: ") {
				t.Errorf("Send error %q lacks its context", err)
			}
			if got, want := errors.Is(err, mailer.ErrThrottled), tt.want == throttled; got != want {
				t.Errorf("errors.Is(%v, ErrThrottled) = %t, want %t", err, got, want)
			}
			if got, want := errors.Is(err, mailer.ErrRejected), tt.want == rejected; got != want {
				t.Errorf("errors.Is(%v, ErrRejected) = %t, want %t", err, got, want)
			}
			if got, want := errors.Is(err, mailer.ErrAccount), tt.want == account; got != want {
				t.Errorf("errors.Is(%v, ErrAccount) = %t, want %t", err, got, want)
			}
		})
	}
}
