// Reading course templates (data/courses/*.toml) and clinic calendars (data/calendars/*.toml)
// for treatment planning (domain/plan). The shipped templates are built into the binary.
#ifndef LIVERCELL_FORMATS_COURSE_FILE_H_
#define LIVERCELL_FORMATS_COURSE_FILE_H_

#include <optional>
#include <string_view>
#include <vector>

#include "livercell/base/status.h"
#include "livercell/domain/plan/course.h"

namespace livercell::formats {

// Every problem is collected with its path ("FILE: schedule.courses"), value and what is
// allowed: TOML syntax, missing sections, numbers out of range, a section without `source`.
template <typename T>
struct FileParse {
  std::optional<T> value;  // set when there are no errors
  std::vector<base::Status> errors;
};
FileParse<domain::CourseTemplate> ParseCourseTemplate(std::string_view text,
                                                      std::string_view file);
FileParse<domain::ClinicCalendar> ParseClinicCalendar(std::string_view text,
                                                      std::string_view file);

// The templates shipped in data/courses/, by id ("iv-2x5", "hepatic-artery").
std::vector<std::string_view> BuiltinCourseTemplateIds();
std::optional<std::string_view> BuiltinCourseTemplateText(std::string_view id);

}  // namespace livercell::formats

#endif  // LIVERCELL_FORMATS_COURSE_FILE_H_
