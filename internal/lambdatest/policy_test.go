package lambdatest

import (
	"strings"
	"testing"
)

// policyTemplate is a template of function F, whose properties are props (a YAML flow
// mapping's content), next to a table, a bucket, a queue, a log group and the resources extra
// (YAML lines indented two spaces).
func policyTemplate(props, extra string) string {
	return `Resources:
  Table: {Type: AWS::DynamoDB::Table}
  Bucket: {Type: AWS::S3::Bucket}
  Queue: {Type: AWS::SQS::Queue}
  Logs: {Type: AWS::Logs::LogGroup}
  F:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: ., ` + props + `}
` + extra
}

// allow is function properties granting one statement: Action actions on Resource resources
// (YAML flow values).
func allow(actions, resources string) string {
	return `Policies: [{Statement: [{Effect: Allow, Action: ` + actions + `, Resource: ` + resources + `}]}]`
}

// lambdaTrust is a trust policy letting Lambda assume a role, with its one statement.
const (
	trustLambda = `{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: "sts:AssumeRole"}`
	lambdaTrust = `{Statement: [` + trustLambda + `]}`
)

// role is an AWS::IAM::Role R with the trust policy trust, one inline policy p granting
// actions on resources, and the properties more.
func role(trust, actions, resources, more string) string {
	return `  R:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: ` + trust + `
      Policies: [{PolicyName: p, PolicyDocument: {Statement: [{Effect: Allow, Action: ` + actions + `, Resource: ` + resources + `}]}}]
` + more
}

func TestPolicyProblems(t *testing.T) {
	const (
		onTable   = `!GetAtt Table.Arn`
		getItem   = `"dynamodb:GetItem"`
		ownRole   = `Role: !GetAtt R.Arn`
		noMore    = "" // role(lambdaTrust, getItem, onTable, noMore) has nothing wrong
		wildARN   = `"arn:aws:dynamodb:us-east-1:123456789012:table/*"`
		inResPart = "has a wildcard in its resource part"
	)
	tests := []struct {
		name  string
		props string   // F's properties
		extra string   // further resources
		want  []string // one substring per expected problem, in order
	}{
		{"scoped statements", allow(`["dynamodb:GetItem", "dynamodb:Query"]`, onTable), "", nil},
		{"a single document", `Policies: {Statement: {Effect: Allow, Action: "s3:GetObject", Resource: !Sub "${Bucket.Arn}/*"}}`, "", nil},
		{"every action", allow(`"*"`, `!GetAtt Bucket.Arn`), "", []string{`action "*" is a wildcard`}},
		{"a service's actions", allow(`"ses:*"`, `"arn:aws:ses:us-east-1:123456789012:identity/x"`), "", []string{`action "ses:*" is a wildcard`}},
		{"an action prefix", allow(`"dynamodb:Get*"`, onTable), "", []string{`"dynamodb:Get*" is a wildcard`}},
		{"every resource", allow(getItem, `"*"`), "", []string{`resource "*" for dynamodb:GetItem`}},
		{"every resource where nothing narrower exists", allow(`["xray:PutTraceSegments", "xray:PutTelemetryRecords"]`, `"*"`), "", nil},
		{"every resource for X-Ray and more", allow(`["xray:PutTraceSegments", "s3:GetObject"]`, `"*"`), "", []string{`resource "*" for s3:GetObject`}},
		{"every table", allow(getItem, wildARN), "", []string{`resource ` + wildARN + ` ` + inResPart}},
		{"every table, built with Sub", allow(getItem, `!Sub "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/*"`), "", []string{inResPart}},
		{"tables named like the template's", allow(getItem, `!Sub "${Table.Arn}*"`), "", []string{`"arn:aws:dynamodb:us-east-1:123456789012:table/gatehouse-Table*" ` + inResPart}},
		{"a wildcard character", allow(getItem, `!Sub "${Table.Arn}?"`), "", []string{inResPart}},
		{"every region and account", allow(getItem, `"arn:aws:dynamodb:*:*:table/x"`), "", []string{"has a wildcard in its region and account"}},
		{"every service", allow(getItem, `!Sub "arn:aws:*:us-east-1:123456789012:table/${Table}"`), "", []string{"has a wildcard in its service"}},
		{"every resource of a service", allow(`"sqs:SendMessage"`, `"arn:aws:sqs:us-east-1:123456789012:*"`), "", []string{inResPart}},
		{"not an ARN", allow(getItem, `"gatehouse-*"`), "", []string{"has a wildcard and is not an ARN"}},
		{"objects of every bucket", allow(`"s3:GetObject"`, `"arn:aws:s3:::*/*"`), "", []string{inResPart}},
		{"objects of a bucket named like the template's", allow(`"s3:GetObject"`, `!Sub "arn:aws:s3:::${Bucket}*/*"`), "", []string{inResPart}},
		{"objects of a bucket from outside", allow(`"s3:GetObject"`, `"arn:aws:s3:::b/*"`), "", []string{inResPart}},
		{"objects of a bucket whose name starts with the template's", allow(`"s3:GetObject"`, `!Sub "${Bucket.Arn}-logs/*"`), "", []string{inResPart}},
		{"objects of one bucket", allow(`"s3:GetObject"`, `!Sub "${Bucket.Arn}/*"`), "", nil},
		{"objects under a prefix of one bucket", allow(`"s3:GetObject"`, `!Sub "arn:${AWS::Partition}:s3:::${Bucket}/exports/*"`), "", nil},
		{"a wildcard inside a key", allow(`"s3:GetObject"`, `!Sub "${Bucket.Arn}/*/x"`), "", []string{inResPart}},
		{"two wildcards in one bucket", allow(`"s3:GetObject"`, `!Sub "${Bucket.Arn}/a*/*"`), "", []string{inResPart}},
		{"the streams of one table", allow(`"dynamodb:ListStreams"`, `!Sub "${Table.Arn}/stream/*"`), "", nil},
		{"the streams of one log group", allow(`["logs:CreateLogStream", "logs:PutLogEvents"]`, `!GetAtt Logs.Arn`), "", nil},
		{"NotAction", `Policies: [{Statement: [{Effect: Allow, NotAction: "iam:*", Resource: !GetAtt Bucket.Arn}]}]`, "", []string{"NotAction allows everything"}},
		{"a Deny", `Policies: [{Statement: [{Effect: Deny, Action: "s3:*", Resource: "*"}]}]`, "", nil},
		{"a scoped policy template", `Policies: [{DynamoDBCrudPolicy: {TableName: !Ref Table}}]`, "", nil},
		{"a policy template on everything", `Policies: [{S3ReadPolicy: {BucketName: "*"}}]`, "", []string{`S3ReadPolicy parameter "*" is a wildcard`}},
		{"an unvetted policy template", `Policies: [{SESCrudPolicy: {IdentityName: x}}]`, "", []string{"SESCrudPolicy is not known to be scoped"}},
		{"a managed policy", `Policies: [AmazonDynamoDBFullAccess]`, "", []string{"managed policy AmazonDynamoDBFullAccess"}},

		{"a role of the template", ownRole, role(lambdaTrust, getItem, onTable, noMore), nil},
		{"a role of the template through Ref", `Role: !Ref R`, role(lambdaTrust, getItem, onTable, noMore), nil},
		{"a role from outside", `Role: "arn:aws:iam::123456789012:role/admin"`, "", []string{`Role arn:aws:iam::123456789012:role/admin: a role from outside this template`}},
		{"a role that is no IAM role", `Role: !GetAtt Queue.Arn`, "", []string{"a role from outside this template"}},
		{"a role not named by its Arn", `Role: !Sub "${R.Arn}"`, role(lambdaTrust, getItem, onTable, noMore), []string{"a role from outside this template"}},
		{"Policies beside a role", ownRole + `, ` + allow(getItem, onTable), role(lambdaTrust, getItem, onTable, noMore), []string{"SAM ignores them"}},
		{"a wildcard table ARN in the role", ownRole, role(lambdaTrust, getItem, wildARN, noMore), []string{`R.Policies[0] (p).Statement[0]: resource ` + wildARN + ` ` + inResPart}},
		{"every resource in the role", ownRole, role(lambdaTrust, getItem, `"*"`, noMore), []string{`R.Policies[0] (p).Statement[0]: resource "*" for dynamodb:GetItem`}},
		{"a managed policy on the role", ownRole, role(lambdaTrust, getItem, onTable, "      ManagedPolicyArns: [arn:aws:iam::aws:policy/service-role/AWSLambdaDynamoDBExecutionRole]\n"),
			[]string{"R.ManagedPolicyArns: managed policy arn:aws:iam::aws:policy/service-role/AWSLambdaDynamoDBExecutionRole cannot be checked"}},
		{"a policy resource granting the role more", ownRole, role(lambdaTrust, getItem, onTable, noMore) +
			"  More: {Type: AWS::IAM::Policy, Properties: {PolicyName: more, Roles: [!Ref R], PolicyDocument: {Statement: [{Effect: Allow, Action: \"s3:*\", Resource: \"*\"}]}}}\n",
			[]string{"R: policy More grants it more outside its Policies"}},
		{"a role another service may assume", ownRole, role(`{Statement: [{Effect: Allow, Principal: {Service: [lambda.amazonaws.com, ec2.amazonaws.com]}, Action: "sts:AssumeRole"}]}`, getItem, onTable, noMore),
			[]string{"R.AssumeRolePolicyDocument.Statement[0]: principal", "no statement lets lambda.amazonaws.com assume the role"}},
		{"a role an account may assume", ownRole, role(`{Statement: [`+trustLambda+`, {Effect: Allow, Principal: {AWS: "arn:aws:iam::123456789012:root"}, Action: "sts:AssumeRole"}]}`, getItem, onTable, noMore),
			[]string{"R.AssumeRolePolicyDocument.Statement[1]: principal"}},
		{"a role anyone may assume", ownRole, role(`{Statement: [{Effect: Allow, Principal: "*", Action: "sts:AssumeRole"}]}`, getItem, onTable, noMore),
			[]string{"Statement[0]: principal * may assume the role", "no statement lets"}},
		{"a role trusted with more than AssumeRole", ownRole, role(`{Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: "sts:*"}]}`, getItem, onTable, noMore),
			[]string{`action "sts:*"; Lambda needs sts:AssumeRole alone`, "no statement lets"}},
		{"a role without trust", ownRole, "  R: {Type: AWS::IAM::Role, Properties: {}}\n", []string{"R.AssumeRolePolicyDocument: missing"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl, err := Parse([]byte(policyTemplate(tt.props, tt.extra)), Values{})
			if err != nil {
				t.Fatal(err)
			}
			got := tmpl.PolicyProblems(tmpl.Functions["F"])
			if len(got) != len(tt.want) {
				t.Fatalf("problems %q, want %d", got, len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("problem %q, want one saying %q", got[i], w)
				}
			}
		})
	}
}
