package inputfile_test

import (
	"fmt"

	"github.com/gpa-tui/gpa-tui/inputfile"
)

func ExamplePrintable() {
	// A preset description that would set the terminal's title and turn
	// the text red.
	desc := "four wells\x1b]0;pwned\x07 \x1b[31mL = 1"
	fmt.Printf("%q\n", inputfile.Printable(desc))
	// Output:
	// "four wells]0;pwned [31mL = 1"
}
