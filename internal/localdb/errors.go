package localdb

import (
	"fmt"
	"net/http"
	"strings"
)

// apiError is an error answer of the DynamoDB API, as DynamoDB words it.
type apiError struct {
	code    string // the error type, such as "ValidationException"
	message string
	status  int
	item    attrs    // ConditionalCheckFailedException: the item, when asked for
	reasons []reason // TransactionCanceledException: one per action, in order
}

// reason is a cancelled transaction's account of one action.
type reason struct {
	Code    string   `json:"Code"`
	Message string   `json:"Message,omitempty"`
	Item    wireItem `json:"Item,omitempty"`
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

func newError(code, format string, args ...any) *apiError {
	return &apiError{code: code, message: fmt.Sprintf(format, args...), status: http.StatusBadRequest}
}

// validation is the answer to a request DynamoDB would refuse before doing anything.
func validation(format string, args ...any) *apiError {
	return newError("ValidationException", format, args...)
}

// unsupported refuses a parameter or value this implementation does not serve, rather than
// answering differently from DynamoDB.
func unsupported(format string, args ...any) *apiError {
	return validation("the embedded DynamoDB does not support "+format, args...)
}

func tableNotFound(name string) *apiError {
	return newError("ResourceNotFoundException", "Requested resource not found: Table: %s not found", name)
}

const conditionFailedMessage = "The conditional request failed"

func conditionFailed(item attrs) *apiError {
	e := newError("ConditionalCheckFailedException", conditionFailedMessage)
	e.item = item
	return e
}

// cancelled is DynamoDB's TransactionCanceledException for reasons, one per action.
func cancelled(reasons []reason) *apiError {
	codes := make([]string, len(reasons))
	for i, r := range reasons {
		codes[i] = r.Code
	}
	e := newError("TransactionCanceledException",
		"Transaction cancelled, please refer cancellation reasons for specific reasons [%s]", strings.Join(codes, ", "))
	e.reasons = reasons
	return e
}

// errorBody is the JSON of an error answer. DynamoDB spells the message "Message" in
// TransactionCanceledException and "message" elsewhere; the SDK reads each shape by its name.
type errorBody struct {
	Type                string   `json:"__type"`
	LowerMessage        string   `json:"message,omitempty"`
	Message             string   `json:"Message,omitempty"`
	Item                wireItem `json:"Item,omitempty"`
	CancellationReasons []reason `json:"CancellationReasons,omitempty"`
}

func (e *apiError) body() errorBody {
	namespace := "com.amazonaws.dynamodb.v20120810#"
	switch e.code {
	case "UnknownOperationException", "SerializationException":
		namespace = "com.amazon.coral.service#"
	}
	b := errorBody{Type: namespace + e.code, Item: toWireItem(e.item), CancellationReasons: e.reasons}
	if e.reasons != nil {
		b.Message = e.message
	} else {
		b.LowerMessage = e.message
	}
	return b
}
