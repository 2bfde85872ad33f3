package match

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestAlready(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		is   func(string) bool
		msg  string
		want bool
	}{
		{AptlyAlready, "Email already exists", true},
		{AptlyAlready, "email ALREADY EXISTS", true},
		{AptlyAlready, "Invalid email", false},
		{AptlyAlready, "User invited successfully", false},
		{RoyaltiAlready, "User Jane Doe already associated with workspace!", true},
		{RoyaltiAlready, "Invalid email format for Jacob Doe", false},
		{AthenaAlready, "User is already a member of this website", true},
		{AthenaAlready, "User is already a member of this group", true},
		{AthenaAlready, "User already has a pending invite to this website", true},
		{AthenaAlready, "Website not found", false},
		{AthenaAlready, "", false},
	} {
		assert.Equal(t, tc.want, tc.is(tc.msg), tc.msg)
	}
}
