package crmstore

// pageLimit returns the page size to read: def when the caller asked for
// none (limit <= 0), and never more than most.
func pageLimit(limit, def, most int) int {
	if limit <= 0 {
		return def
	}
	return min(limit, most)
}

// cutPage trims rows read with LIMIT limit+1 back to limit and returns the
// key of the last row kept as the cursor of the next page; the extra row
// only tells that one exists, so the cursor is 0 on the last page.
func cutPage[T any](rows []T, limit int, key func(T) int64) ([]T, int64) {
	if len(rows) <= limit {
		return rows, 0
	}
	rows = rows[:limit]
	return rows, key(rows[limit-1])
}
