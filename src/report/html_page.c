/* html_page: the page template and script of analyze --html, kept as
 * html_page.html and html_page.js beside this file and embedded as they
 * are (the assembler's .incbin, paths from the top of the tree, where make
 * runs; the Makefile names them as this object's prerequisites). Each ends
 * in a NUL. */
#include "report/html.h"

__asm__(".section .rodata\n"
	".global html_page_template\n"
	".hidden html_page_template\n"
	".type html_page_template, @object\n"
	"html_page_template:\n"
	".incbin \"src/report/html_page.html\"\n"
	".byte 0\n"
	".global html_page_script\n"
	".hidden html_page_script\n"
	".type html_page_script, @object\n"
	"html_page_script:\n"
	".incbin \"src/report/html_page.js\"\n"
	".byte 0\n"
	".previous\n");
