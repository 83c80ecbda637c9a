package chstore

import (
	"errors"
	"fmt"
	"slices"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/statusd/statusd/result"
)

// rejectedCodes are the ClickHouse error codes that say the data itself is
// refused: sending the same rows again can never succeed. Every other error
// (network, timeouts, memory, too many parts, a table being created) is
// taken as transient.
var rejectedCodes = []int32{
	6,   // CANNOT_PARSE_TEXT
	26,  // CANNOT_PARSE_QUOTED_STRING
	27,  // CANNOT_PARSE_INPUT_ASSERTION_FAILED
	38,  // CANNOT_PARSE_DATE
	41,  // CANNOT_PARSE_DATETIME
	53,  // TYPE_MISMATCH
	62,  // SYNTAX_ERROR
	69,  // ARGUMENT_OUT_OF_BOUND
	70,  // CANNOT_CONVERT_TYPE
	72,  // CANNOT_PARSE_NUMBER
	117, // INCORRECT_DATA
	131, // TOO_LARGE_STRING_SIZE
	190, // SIZES_OF_ARRAYS_DOESNT_MATCH
	321, // VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE
}

// classify marks an insert error that can never succeed with
// result.ErrRejected; appendErr says the client refused a value before
// anything was sent, which is final too.
func classify(err error, appendErr bool) error {
	var exc *clickhouse.Exception
	if appendErr || (errors.As(err, &exc) && slices.Contains(rejectedCodes, exc.Code)) {
		return fmt.Errorf("%w: %w", result.ErrRejected, err)
	}
	return err
}
