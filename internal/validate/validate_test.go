package validate

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIsEmail(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want bool
	}{
		{"ada@example.com", true},
		{"Ollie.Kling@yahoo.com", true},
		{"first.last+tag@sub.example.co.uk", true},
		{"o'brien@example.ie", true},
		{"user_1@example-mail.com", true},
		{"", false},
		{"ada", false},
		{"ada@", false},
		{"@example.com", false},
		{"ada@example", false},
		{"ada@localhost", false},
		{"ada@.example.com", false},
		{"ada@example.com.", false},
		{"ada@@example.com", false},
		{"ada example@example.com", false},
		{" ada@example.com", false},
		{"ada@example.com ", false},
		{"ada@example.com\n", false},
		{"Ada <ada@example.com>", false},
		{"<ada@example.com>", false},
		{"ada@example.com, bob@example.com", false},
		{strings.Repeat("a", 250) + "@example.com", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, IsEmail(tt.in), "IsEmail(%q)", tt.in)
	}
}

func TestIsUUID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want bool
	}{
		{"887fd99a-e3ab-44ac-8253-31f269599f2b", true},
		{"123e4567-e89b-12d3-a456-426614174000", true}, // version 1, as in AthenaHQ's examples
		{"00000000-0000-0000-0000-000000000000", true},
		{"887FD99A-E3AB-44AC-8253-31F269599F2B", true},
		{"", false},
		{"887fd99a", false},
		{"887fd99ae3ab44ac825331f269599f2b", false},
		{"{887fd99a-e3ab-44ac-8253-31f269599f2b}", false},
		{"887fd99a-e3ab-44ac-8253-31f269599f2", false},
		{"887fd99a-e3ab-44ac-8253-31f269599f2bb", false},
		{"887fd99g-e3ab-44ac-8253-31f269599f2b", false},
		{"887fd99a_e3ab-44ac-8253-31f269599f2b", false},
		{"887fd99a-e3ab-44ac-8253-31f269599f2\u00e9", false},
		{"abc12345-e89b-12d3-a456-42661417400z", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, IsUUID(tt.in), "IsUUID(%q)", tt.in)
	}
}

func TestIsLoopbackHost(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want bool
	}{
		{"localhost", true},
		{"LOCALHOST", true},
		{"LocalHost", true},
		{"127.0.0.1", true},
		{"127.9.9.9", true},
		{"::1", true},
		{"::ffff:127.0.0.1", true},
		{"", false},
		{"0.0.0.0", false},
		{"::", false},
		{"::ffff:10.0.0.1", false},
		{"192.168.1.10", false},
		{"example.com", false},
		{"localhost.example.com", false},
		{"[::1]", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, IsLoopbackHost(tt.in), "IsLoopbackHost(%q)", tt.in)
	}
}

func TestProblems(t *testing.T) {
	t.Parallel()
	var p Problems
	require.True(t, p.Empty())
	assert.Empty(t, p.List())

	assert.True(t, p.Required("name", "Ada"))
	assert.False(t, p.Required("blank", " \t"))
	p.Email("email", "")
	p.Email("email2", "nope")
	p.Email("email3", "ada@example.com")
	p.UUID("optional", "")
	p.UUID("id", "x")
	p.RequiredUUID("tenantId", "")
	p.RequiredUUID("tenantId2", "887fd99a-e3ab-44ac-8253-31f269599f2b")
	p.UUIDs("roleIds", []string{"887fd99a-e3ab-44ac-8253-31f269599f2b", "", "r"})
	p.OneOf("role", "", "admin", "viewer")
	p.OneOf("role2", "admin", "admin", "viewer")
	p.OneOf("role3", "owner", "admin", "viewer")
	p.Add("users[3].email", "has %d problems", 2)

	assert.False(t, p.Empty())
	assert.Equal(t, []Problem{
		{"blank", "is required"},
		{"email", "is required"},
		{"email2", `"nope" is not a valid email address`},
		{"id", `"x" is not a UUID`},
		{"tenantId", "is required"},
		{"roleIds[1]", "is empty"},
		{"roleIds[2]", `"r" is not a UUID`},
		{"role3", `"owner" is not one of admin, viewer`},
		{"users[3].email", "has 2 problems"},
	}, p.List())
}
