"""trainaway: does training against k caught examples remove a misbehaviour, or only its instances?"""
