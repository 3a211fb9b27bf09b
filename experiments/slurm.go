package experiments

import (
	"regexp"
	"strings"
)

// SlurmConfig is a preset's optional [slurm] section: the resources of the
// batch script `gpa-tui sweep` writes (flags of the same names override
// it). Runs themselves ignore it.
type SlurmConfig struct {
	Partition   string   `toml:"partition,omitempty" json:"partition,omitempty"`
	Time        string   `toml:"time,omitempty" json:"time,omitempty"` // sbatch --time: "30", "2:00:00", "1-12:00:00"
	Mem         string   `toml:"mem,omitempty" json:"mem,omitempty"`   // sbatch --mem: "4G"
	CPUsPerTask int      `toml:"cpus_per_task,omitempty" json:"cpus_per_task,omitempty"`
	Gres        string   `toml:"gres,omitempty" json:"gres,omitempty"`
	Account     string   `toml:"account,omitempty" json:"account,omitempty"`
	QOS         string   `toml:"qos,omitempty" json:"qos,omitempty"`
	Constraint  string   `toml:"constraint,omitempty" json:"constraint,omitempty"`
	MaxParallel int      `toml:"max_parallel,omitempty" json:"max_parallel,omitempty"` // array throttle (%N)
	SignalLead  int      `toml:"signal_lead,omitempty" json:"signal_lead,omitempty"`   // seconds of warning before the time limit (default 120)
	Extra       []string `toml:"extra,omitempty" json:"extra,omitempty"`               // more sbatch options, e.g. "--exclusive"
}

// slurmWord is what an sbatch option value may hold here: no spaces,
// quotes or shell characters, since it is written into a script.
var slurmWord = regexp.MustCompile(`^[A-Za-z0-9_.:,=+@%/-]*$`)

// Validate checks the section; errors name the key.
func (s *SlurmConfig) Validate() error {
	for _, f := range []struct{ key, v string }{
		{"slurm.partition", s.Partition}, {"slurm.time", s.Time}, {"slurm.mem", s.Mem}, {"slurm.gres", s.Gres},
		{"slurm.account", s.Account}, {"slurm.qos", s.QOS}, {"slurm.constraint", s.Constraint},
	} {
		if !slurmWord.MatchString(f.v) {
			return fieldErr(f.key, "%q: letters, digits and _.:,=+@%%/- only", f.v)
		}
	}
	switch {
	case s.CPUsPerTask < 0:
		return fieldErr("slurm.cpus_per_task", "%d: want ≥ 1 (0 = Slurm's default)", s.CPUsPerTask)
	case s.MaxParallel < 0:
		return fieldErr("slurm.max_parallel", "%d: want ≥ 1 (0 = no limit)", s.MaxParallel)
	case s.SignalLead < 0 || s.SignalLead > 65535:
		return fieldErr("slurm.signal_lead", "%d: want seconds in [0, 65535] (0 = 120)", s.SignalLead)
	}
	for _, e := range s.Extra {
		if !strings.HasPrefix(e, "--") || strings.ContainsAny(e, " \t\n'\"`$;&|<>\\") {
			return fieldErr("slurm.extra", "%q: want one sbatch option such as \"--exclusive\" or \"--nodes=1\"", e)
		}
	}
	return nil
}
