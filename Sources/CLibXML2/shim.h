#pragma once
#include <libxml/xmlversion.h>
/* Debian's libxml2 is built with ICU; its encoding.h then includes <unicode/ucnv.h>, which clashes
   with Foundation's bundled _FoundationICU module ("'UErrorCode' has different definitions in
   different modules") in any Swift module that imports both. We never touch ICU converters. */
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlreader.h>
#include <libxml/xpath.h>
