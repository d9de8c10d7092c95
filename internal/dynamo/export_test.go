package dynamo

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"gatehouse/internal/org"
)

// SetQueryBounds shrinks the bounds on filtered list reads, so tests reach them with few items.
func SetQueryBounds(s *Store, pageSize, pages int) {
	s.t.filteredPageSize, s.t.maxQueryPages = pageSize, pages
}

// SeedMembers writes members straight into the table (with their email markers), 25 items
// per BatchWriteItem, for benchmarks that need a large organization fast. It skips the
// domain's rules: the members must be valid and their addresses distinct.
func SeedMembers(ctx context.Context, db *dynamodb.Client, table string, members []org.Member) error {
	var reqs []types.WriteRequest
	flush := func() error {
		if len(reqs) == 0 {
			return nil
		}
		in := &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{table: reqs}}
		for len(in.RequestItems) > 0 {
			out, err := db.BatchWriteItem(ctx, in)
			if err != nil {
				return err
			}
			in.RequestItems = out.UnprocessedItems
		}
		reqs = reqs[:0]
		return nil
	}
	for _, m := range members {
		for _, it := range []any{toMemberItem(m), memberEmailItem(m)} {
			av, err := marshal(it)
			if err != nil {
				return err
			}
			reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: av}})
			if len(reqs) == 24 {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	return flush()
}
