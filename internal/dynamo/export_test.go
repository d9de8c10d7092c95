package dynamo

// SetQueryBounds shrinks the bounds on filtered list reads, so tests reach them with few items.
func SetQueryBounds(s *Store, pageSize, pages int) {
	s.filteredPageSize, s.maxQueryPages = pageSize, pages
}
