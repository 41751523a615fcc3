package spec

import "strings"

// Methods are the HTTP methods the Polytomic API uses, reads first. It is
// the one list behind the tools' schemas, the forwarder's checks and the
// CLI's flags; a function, so no caller can change it for the others.
func Methods() []string { return []string{"GET", "POST", "PUT", "PATCH", "DELETE"} }

// IsMethod reports whether m (upper case) is one of Methods.
func IsMethod(m string) bool {
	for _, x := range Methods() {
		if m == x {
			return true
		}
	}
	return false
}

// MethodList is Methods for messages: "GET, POST, PUT, PATCH or DELETE".
func MethodList() string {
	ms := Methods()
	return strings.Join(ms[:len(ms)-1], ", ") + " or " + ms[len(ms)-1]
}
