// Command minimal is the smallest aws-lambda-go function, built like Gatehouse's: the
// baseline that the functions' cold starts are measured against.
package main

import "github.com/aws/aws-lambda-go/lambda"

func main() {
	lambda.Start(func() (string, error) { return "ok", nil })
}
