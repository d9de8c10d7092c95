// Package dynamo is the DynamoDB adapter: one table with generic pk/sk keys holding every
// organization's items under ORG#<id>, written with conditional transactions so the rules
// of package org (one live invitation and one member per address, an active admin kept)
// hold under concurrency.
package dynamo
