// libical's functions, taken from libical.so.3 when a plan is first written as iCalendar
// rather than linked (base/shared_library.h: libical brings ICU, whose loading every other
// command would pay for at start). Internal to formats.
#ifndef LIVERCELL_FORMATS_LIBICAL_H_
#define LIVERCELL_FORMATS_LIBICAL_H_

#include <libical/ical.h>

#include "livercell/base/result.h"

namespace livercell::formats {

// The functions LiverCell calls.
struct LibIcal {
  decltype(&::icalcomponent_new) icalcomponent_new = nullptr;
  decltype(&::icalcomponent_free) icalcomponent_free = nullptr;
  decltype(&::icalcomponent_add_property) icalcomponent_add_property = nullptr;
  decltype(&::icalcomponent_add_component) icalcomponent_add_component = nullptr;
  decltype(&::icalcomponent_as_ical_string_r) icalcomponent_as_ical_string_r = nullptr;
  decltype(&::icaltime_current_time_with_zone) icaltime_current_time_with_zone = nullptr;
  decltype(&::icaltimezone_get_utc_timezone) icaltimezone_get_utc_timezone = nullptr;
  decltype(&::icalproperty_new_version) icalproperty_new_version = nullptr;
  decltype(&::icalproperty_new_prodid) icalproperty_new_prodid = nullptr;
  decltype(&::icalproperty_new_calscale) icalproperty_new_calscale = nullptr;
  decltype(&::icalproperty_new_uid) icalproperty_new_uid = nullptr;
  decltype(&::icalproperty_new_dtstamp) icalproperty_new_dtstamp = nullptr;
  decltype(&::icalproperty_new_dtstart) icalproperty_new_dtstart = nullptr;
  decltype(&::icalproperty_new_dtend) icalproperty_new_dtend = nullptr;
  decltype(&::icalproperty_new_summary) icalproperty_new_summary = nullptr;
  decltype(&::icalproperty_new_description) icalproperty_new_description = nullptr;
  decltype(&::icalproperty_new_categories) icalproperty_new_categories = nullptr;
};

// Loads libical once (thread-safe); kUnavailable, saying what to install, when it is missing.
base::Result<const LibIcal*> LoadLibIcal();

}  // namespace livercell::formats

#endif  // LIVERCELL_FORMATS_LIBICAL_H_
