package seal

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

// Load makes the sealer a process is configured with: under the KMS key keyID (through
// cfg), or under the key in keyFile (created when missing), or none (nil) when both are
// empty. Configuration checks that at most one is set.
func Load(cfg aws.Config, keyID, keyFile string) (Sealer, error) {
	switch {
	case keyID != "":
		return NewKMS(kms.NewFromConfig(cfg), keyID)
	case keyFile != "":
		key, err := LoadOrCreateKey(keyFile)
		if err != nil {
			return nil, err
		}
		return NewLocal(key)
	}
	return nil, nil
}
