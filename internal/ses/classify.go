package ses

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"gatehouse/internal/mailer"
)

// classify wraps a SendEmail error in mailer.ErrThrottled when SES refused for rate or quota,
// in mailer.ErrRejected when it will never send this message, in mailer.ErrAccount when it
// refused the sending account or configuration (which an operator fixes, so it is retried),
// and in none otherwise: a network failure, a 5xx or an unknown code is worth retrying.
func classify(err error) error {
	switch {
	case isThrottled(err):
		return fmt.Errorf("%w: %w", mailer.ErrThrottled, err)
	case isRejected(err):
		return fmt.Errorf("%w: %w", mailer.ErrRejected, err)
	case isAccount(err):
		return fmt.Errorf("%w: %w", mailer.ErrAccount, err)
	}
	return err
}

// isThrottled reports whether err says the request was over a rate or a quota.
func isThrottled(err error) bool {
	var (
		tooMany *types.TooManyRequestsException
		limit   *types.LimitExceededException
	)
	if errors.As(err, &tooMany) || errors.As(err, &limit) {
		return true
	}
	switch apiCode(err) {
	case "TooManyRequestsException", "LimitExceededException", "Throttling", "ThrottlingException":
		return true
	}
	var resp *smithyhttp.ResponseError
	return errors.As(err, &resp) && resp.HTTPStatusCode() == http.StatusTooManyRequests
}

// isRejected reports whether err says SES will never send this message: its content or
// address.
func isRejected(err error) bool {
	var (
		rejected   *types.MessageRejected
		badRequest *types.BadRequestException
	)
	if errors.As(err, &rejected) || errors.As(err, &badRequest) {
		return true
	}
	switch apiCode(err) {
	case "MessageRejected", "BadRequestException":
		return true
	}
	return false
}

// isAccount reports whether err says SES refused the sending account or its configuration.
func isAccount(err error) bool {
	var (
		mailFrom  *types.MailFromDomainNotVerifiedException
		suspended *types.AccountSuspendedException
		paused    *types.SendingPausedException
		notFound  *types.NotFoundException
	)
	switch {
	case errors.As(err, &mailFrom), errors.As(err, &suspended), errors.As(err, &paused), errors.As(err, &notFound):
		return true
	}
	switch apiCode(err) {
	case "MailFromDomainNotVerifiedException", "AccountSuspendedException", "SendingPausedException",
		"NotFoundException", "AccessDeniedException", "AccessDenied":
		return true
	}
	var resp *smithyhttp.ResponseError
	return errors.As(err, &resp) && resp.HTTPStatusCode() == http.StatusForbidden
}

// apiCode is the code of the smithy API error in err, or "" when there is none. Typed SES
// errors are matched above; codes catch the same errors from servers whose responses the SDK
// does not decode to its types (proxies, local emulators), and the generic throttling codes.
func apiCode(err error) string {
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		return ""
	}
	return apiErr.ErrorCode()
}
